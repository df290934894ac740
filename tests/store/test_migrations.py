"""The Alembic revisions build exactly the schema in schema.py, on SQLite and on PostgreSQL.

A change to schema.py without a revision (or a revision that differs from it) fails here:
alembic's compare_metadata lists every table, column, type, nullability, index and unique
constraint on which the migrated database and the metadata disagree.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from execution.store.open import open_store
from execution.store.sql.engine import make_engine
from execution.store.sql.migrate import head_revision
from execution.store.sql.schema import metadata
from execution.store.urls import parse_store_url


def _differences(connection: sa.Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_migrated_schema_equals_the_metadata(migrated_url: str) -> None:
    engine = make_engine(parse_store_url(migrated_url))
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
            assert await conn.run_sync(_revision) == head_revision()
    finally:
        await engine.dispose()


async def test_the_comparison_sees_a_missing_migration(migrated_url: str) -> None:
    """The test above can fail: a column the revisions lack shows up as a difference."""
    extra = sa.MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extra)
    extra.tables["runs"].append_column(sa.Column("forgotten", sa.Integer(), nullable=True))
    engine = make_engine(parse_store_url(migrated_url))

    def differences(connection: sa.Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), extra))

    try:
        async with engine.connect() as conn:
            [(op, _schema, table, column)] = await conn.run_sync(differences)
        assert (op, table, column.name) == ("add_column", "runs", "forgotten")
    finally:
        await engine.dispose()


async def test_opening_again_keeps_the_data(migrated_url: str) -> None:
    from tests.store.records import new_run

    first = await open_store(migrated_url)
    run = await first.create_run(new_run())
    await first.close()
    second = await open_store(migrated_url)  # migrations find the head and do nothing
    try:
        assert await second.get_run(run.run_id) == run
    finally:
        await second.close()
