"""What differs between SQLite and PostgreSQL, kept to this file: upserts, events in and out
through the driver's own connection (the hot paths), commit durability, and the lock that
orders image writes against image collection.

Everything else in the SQL store is one Core query for both backends.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.base import StoredEvent
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

    Both go to the driver's own connection (in the transaction SQLAlchemy holds open on it),
    without per-row parameter dicts: on PostgreSQL, COPY writes about three times the rows of
    executemany; on SQLite, aiosqlite's executemany is one trip to its thread where
    SQLAlchemy's cursor makes three.
    """
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    if conn.dialect.name == "postgresql":
        await driver.copy_records_to_table(events.name, records=rows, columns=["run_id", "seq", "payload"])
    else:
        await driver.executemany("INSERT INTO events (run_id, seq, payload) VALUES (?, ?, ?)", rows)


_SELECT_EVENTS = "SELECT seq, payload FROM events WHERE run_id = {0} AND seq > {1} ORDER BY seq LIMIT {2}"
_SELECT_EVENTS_SQLITE = _SELECT_EVENTS.format("?", "?", "?")
_SELECT_EVENTS_POSTGRESQL = _SELECT_EVENTS.format("$1", "$2", "$3")


async def select_events(conn: AsyncConnection, run_id: str, after_seq: int, limit: int) -> list[StoredEvent]:
    """Up to `limit` events of a run after `after_seq`, through the driver's own connection.

    The replay path: SQLAlchemy's cursor and Row objects cost three times the driver's own
    fetch here (the SQL is the same on both backends but for its placeholders).
    """
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    if conn.dialect.name == "postgresql":
        rows = await driver.fetch(_SELECT_EVENTS_POSTGRESQL, run_id, after_seq, limit)
    else:
        rows = await driver.execute_fetchall(_SELECT_EVENTS_SQLITE, (run_id, after_seq, limit))
    return list(itertools.starmap(StoredEvent, rows))


async def commit_durably(conn: AsyncConnection) -> None:
    """Make this transaction's commit wait until its WAL is on disk (PostgreSQL).

    The store's PostgreSQL sessions commit asynchronously by default (synchronous_commit=off,
    engine.py), which suits batches of events and statuses: a crash of flowexec loses nothing
    committed, a crash of PostgreSQL itself may lose its last fraction of a second of them.
    Runs created or changed, and batches carrying a node output or ending the run, call this
    first. SQLite in WAL mode with synchronous=NORMAL treats every commit alike.
    """
    if conn.dialect.name == "postgresql":
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.execute("SET LOCAL synchronous_commit TO on")


async def lock_images(conn: AsyncConnection, *, exclusive: bool) -> None:
    """Order image writers (shared) against image collection (exclusive), until the transaction ends.

    On PostgreSQL a writer may reuse an image row that a concurrent collection has just found
    unreferenced; a transaction-scoped advisory lock makes collection wait for the writers in
    flight and then see their node rows. SQLite has one writer at a time anyway.
    """
    if conn.dialect.name == "postgresql":
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await conn.execute(sa.select(getattr(sa.func, fn)(_IMAGES_LOCK_KEY)))
