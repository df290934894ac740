"""The migrations ship in the wheel: a store opened from a wheel install (outside the repository)
applies the installed copy of the revisions."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from execution.store.sql.migrate import head_revision
from tests.cli.commands import clean_env, run_command
from tests.wheel_install import install_wheel

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
    site = install_wheel(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = elsewhere / "runs.db"
    result = await run_command([sys.executable, "-c", OPEN_A_STORE, str(database)], cwd=elsewhere,
                               env=clean_env(PYTHONPATH=str(site)))
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(site)  # the wheel's revisions, not the repository's
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
