"""flowexec built as a wheel from a copy of its sources and installed into a folder of its own (no
network, no build isolation): what a user outside the repository gets."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.commands import ROOT

PACKAGED = ("pyproject.toml", "README.md", "execution", "server", "clients/python/flowexec")


def install_wheel(tmp_path: Path) -> Path:
    """Build the wheel and install it into `tmp_path/site`; returns that folder (for PYTHONPATH)."""
    pytest.importorskip("setuptools", reason="builds the wheel without network (no build isolation)")
    source = tmp_path / "source"
    for name in PACKAGED:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path / "dist"),
                    str(source)], check=True, capture_output=True, timeout=120)
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(site),
                    str(next((tmp_path / "dist").glob("flowexec-*.whl")))], check=True, capture_output=True, timeout=120)
    return site
