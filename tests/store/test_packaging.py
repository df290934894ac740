"""The migrations ship in the wheel: a store opened from a wheel install (outside the repository)
applies the installed copy of the revisions."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from execution.store.sql.migrate import head_revision
from tests.cli.commands import ROOT, clean_env, run_command

PACKAGED = ("pyproject.toml", "README.md", "execution", "server", "clients/python/flowexec")

OPEN_A_STORE = """
import asyncio, sys
from execution.store.open import open_store
from execution.store.sql import migrate

async def main():
    store = await open_store("sqlite:///" + sys.argv[1])
    await store.close()
    print(migrate.MIGRATIONS)

asyncio.run(main())
"""


async def test_a_wheel_install_migrates_a_new_database(tmp_path: Path) -> None:
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
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = elsewhere / "runs.db"
    result = await run_command([sys.executable, "-c", OPEN_A_STORE, str(database)], cwd=elsewhere,
                               env=clean_env(PYTHONPATH=str(site)))
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(site)  # the wheel's revisions, not the repository's
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
