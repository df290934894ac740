"""What differs between SQLite and PostgreSQL, kept to this file: upserts, a run's update and
events out through the driver's own connection (the hot paths), commit durability, and the lock
that orders image writes against image collection. A run's batches have a file per backend
(sqlite_writer.py, postgres_batch.py).

Everything else in the SQL store is one Core query for both backends.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.base import StoredEvent

# Any constant shared by every flowexec store on the database: appends that write images hold
# it shared, image collection holds it exclusively (see images_lock).
_IMAGES_LOCK_KEY = 0x666C6F77_696D67  # "flow" "img"


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """`INSERT … ON CONFLICT` for the connection's dialect (both spell it the same way)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _driver(raw: Any) -> Any:
    return raw.driver_connection


async def update_run(conn: AsyncConnection, run_id: str, values: Mapping[str, Any]) -> bool:
    """UPDATE the run's `values` (column → value); False when there is no such run. With no
    values, only whether the run exists.

    On PostgreSQL this goes through SQLAlchemy's connection (it opens the transaction, which
    driver-level writes after it join); on SQLite straight to the driver (one trip to
    aiosqlite's thread where SQLAlchemy's cursor makes three)."""
    postgres = conn.dialect.name == "postgresql"
    sql = _update_sql(postgres, tuple(values))
    parameters = (*values.values(), run_id)
    if postgres:
        result = await conn.exec_driver_sql(sql, parameters)
        return result.first() is not None if not values else result.rowcount == 1
    cursor = await _driver(await conn.get_raw_connection()).execute(sql, parameters)
    if not values:
        return await cursor.fetchone() is not None
    return bool(cursor.rowcount == 1)


@functools.cache
def _update_sql(postgres: bool, columns: tuple[str, ...]) -> str:
    """The statement update_run runs for a set of columns, made once per set (a batch's are
    last_seq and the counts; a run's first and last batches add its state and times)."""
    mark = (lambda i: f"${i}") if postgres else (lambda i: "?")  # SQLAlchemy's asyncpg style is the driver's
    if not columns:
        return f"SELECT 1 FROM runs WHERE run_id = {mark(1)}"
    sets = ", ".join(f"{column} = {mark(i)}" for i, column in enumerate(columns, start=1))
    return f"UPDATE runs SET {sets} WHERE run_id = {mark(len(columns) + 1)}"


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
    (anywhere in the transaction: the setting is read at commit). It goes through SQLAlchemy's
    connection, so that it runs inside the transaction even as its first statement (sent to the
    driver directly before SQLAlchemy opened the transaction, SET LOCAL would do nothing).
    SQLite in WAL mode with synchronous=NORMAL treats every commit alike.
    """
    if conn.dialect.name == "postgresql":
        await conn.exec_driver_sql("SET LOCAL synchronous_commit TO on")


async def lock_images(conn: AsyncConnection, *, exclusive: bool) -> None:
    """Order image writers (shared) against image collection (exclusive), until the transaction ends.

    On PostgreSQL a writer may reuse an image row that a concurrent collection has just found
    unreferenced; a transaction-scoped advisory lock makes collection wait for the writers in
    flight and then see their node rows. SQLite has one writer at a time anyway.
    """
    if conn.dialect.name == "postgresql":
        fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
        await conn.execute(sa.select(getattr(sa.func, fn)(_IMAGES_LOCK_KEY)))
