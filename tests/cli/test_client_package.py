"""The client package stands on its own: it imports nothing of the server or the engine (the
server's command builds on the client's, never the other way round), and `python -m flowexec`
offers the client's commands alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.cli.commands import CLIENT, ROOT

PACKAGE = ROOT / "clients" / "python" / "flowexec"
SERVER_SIDE = ("server", "execution")

# Import every module of the package with the server side made unimportable.
SCRIPT = f"""
import importlib, pkgutil, sys
for name in {SERVER_SIDE!r}:
    sys.modules[name] = None  # `import server…` now raises ImportError
import flowexec
for module in pkgutil.walk_packages(flowexec.__path__, "flowexec."):
    if module.name != "flowexec.__main__":
        importlib.import_module(module.name)
print("imported")
"""


def imported_modules(path: Path) -> set[str]:
    """Absolute module names this file imports anywhere (function-level imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_client_module_names_the_server_or_the_engine() -> None:
    offenders = {f"{path.relative_to(ROOT)}: {name}"
                 for path in PACKAGE.rglob("*.py")
                 for name in imported_modules(path) if name.split(".")[0] in SERVER_SIDE}
    assert not offenders


def test_the_client_package_imports_with_the_server_side_blocked() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


def test_python_m_flowexec_offers_the_client_commands() -> None:
    result = subprocess.run([*CLIENT, "--help"], capture_output=True, text=True, timeout=60, check=True)
    # The client commands only: no serve, demo or gateway.
    assert "{run,runs,node-types,model-defaults}" in result.stdout
