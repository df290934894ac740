"""What differs between SQLite and PostgreSQL, kept to this file: upserts, the bulk event
insert, commit durability and the lock that orders image writes against image collection.

Everything else in the SQL store is one Core query for both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.sql.schema import events

# Any constant shared by every flowexec store on the database: appends that write images hold
# it shared, image collection holds it exclusively (see images_lock).
_IMAGES_LOCK_KEY = 0x666C6F77_696D67  # "flow" "img"


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """`INSERT … ON CONFLICT` for the connection's dialect (both spell it the same way)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_events(conn: AsyncConnection, rows: Sequence[tuple[str, int, bytes]]) -> None:
    """Insert (run_id, seq, payload) rows: COPY on PostgreSQL, executemany on SQLite.

    Both bypass per-row parameter dicts: on PostgreSQL, COPY through asyncpg writes about three
    times the rows of executemany; on SQLite the driver's executemany about twice Core's.
    Either way the rows join the connection's open transaction.
    """
    if conn.dialect.name == "postgresql":
        raw = await conn.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            events.name, records=rows, columns=["run_id", "seq", "payload"])
    else:
        await conn.exec_driver_sql("INSERT INTO events (run_id, seq, payload) VALUES (?, ?, ?)", list(rows))


async def relax_commit(conn: AsyncConnection) -> None:
    """Let this transaction's commit return before its WAL reaches disk (PostgreSQL only).

    Used for batches that carry only events and statuses: a crash of flowexec loses nothing
    committed; a crash of PostgreSQL itself may lose the last fraction of a second of such
    batches (never a node output or a finished state, whose batches commit synchronously).
    SQLite in WAL mode with synchronous=NORMAL already behaves so for every commit.
    """
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


async def lock_images(conn: AsyncConnection, *, exclusive: bool) -> None:
    """Order image writers (shared) against image collection (exclusive), until the transaction ends.

    On PostgreSQL a writer may reuse an image row that a concurrent collection has just found
    unreferenced; a transaction-scoped advisory lock makes collection wait for the writers in
    flight and then see their node rows. SQLite has one writer at a time anyway.
    """
    if conn.dialect.name == "postgresql":
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await conn.execute(sa.select(getattr(sa.func, fn)(_IMAGES_LOCK_KEY)))
