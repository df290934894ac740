"""Regenerate the Python code for proto/flowexec/v1 (the only way it is made).

The output lands in clients/python/flowexec/v1/ and is never edited by hand.
`--check` regenerates into a scratch folder and fails when the committed code is stale.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
OUT_ROOT = ROOT / "clients" / "python"
PACKAGE = Path("flowexec") / "v1"
HEADER = '"""Generated from proto/flowexec/v1 by scripts/gen_protos.py. Do not edit."""\n'


def generate(out_root: Path) -> Path:
    """Write the generated package under out_root and return its folder."""
    target = out_root / PACKAGE
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in (PROTO_ROOT / PACKAGE).glob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *protos,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    (target / "__init__.py").write_text(HEADER)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed code is stale")
    args = parser.parse_args()
    if not args.check:
        generate(OUT_ROOT)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        fresh = generate(Path(scratch))
        committed = OUT_ROOT / PACKAGE
        names = sorted(p.name for p in fresh.iterdir())
        current = sorted(p.name for p in committed.iterdir() if p.name != "__pycache__") if committed.exists() else []
        _, mismatch, errors = filecmp.cmpfiles(fresh, committed, names, shallow=False)
        if names != current or mismatch or errors:
            print(f"generated Python code is stale: run python scripts/gen_protos.py ({mismatch + errors or 'file set differs'})")
            return 1
    print("generated Python code is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
