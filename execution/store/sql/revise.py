"""`python -m execution.store.sql.revise "what changed"`: write the next Alembic revision.

Upgrades a scratch SQLite database to the current head, then lets Alembic's autogenerate
compare it with schema.py and write the difference as `migrations/versions/NNNN_<slug>.py`.
Review the file (autogenerate misses renames and some type changes) and run tests/store: the
migration test fails while the revisions and schema.py disagree, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from execution.store.sql.engine import make_engine
from execution.store.sql.migrate import alembic_config, upgrade
from execution.store.urls import parse_store_url


def _next_id() -> str:
    revisions = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
    numbers = [int(r.revision) for r in revisions if r.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


async def revise(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(parse_store_url(f"sqlite:///{Path(scratch) / 'head.db'}"))
        try:
            await upgrade(engine)
            rev_id = _next_id()

            def write(connection: sa.Connection) -> None:
                command.revision(alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id)

            async with engine.begin() as conn:
                await conn.run_sync(write)
        finally:
            await engine.dispose()


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not re.search(r"\w", argv[0]):
        print(__doc__, file=sys.stderr)
        return 2
    asyncio.run(revise(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
