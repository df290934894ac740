"""Alembic environment of the run store: runs on the connection flowexec hands it.

flowexec applies the revisions itself at start-up (execution.store.sql.migrate); a new revision
is written with `python -m execution.store.sql.revise "what changed"`, which compares the
metadata in schema.py with a database at the current head. SQLite needs batch mode for
ALTERs (a table copy); the same revision files serve both backends.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from execution.store.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the run store's migrations run on a connection flowexec provides "
                       "(execution.store.sql.migrate.upgrade); write revisions with python -m execution.store.sql.revise")



def _skip_empty(_context: object, _revision: object, directives: list[Any]) -> None:
    """`revise` with nothing changed writes no file."""
    if directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        print("schema.py and the revisions agree: no revision written")


context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    process_revision_directives=_skip_empty,
)
with context.begin_transaction():
    context.run_migrations()
