"""The async engine for a store URL, with each backend's connection settings.

SQLite: WAL (readers never wait for the writer), synchronous=NORMAL (a commit is safe from a
crash of the process, not from power loss, and costs no fsync), a busy timeout for the rare
second process, and real transactions: the sqlite3 module's own implicit BEGIN (before DML
only) is switched off and every SQLAlchemy transaction starts with BEGIN, so reads see one
snapshot and migrations (DDL) are atomic — SQLAlchemy's documented recipe for pysqlite/aiosqlite.

PostgreSQL: asyncpg with connect and statement timeouts, asynchronous commits unless a
transaction asks for a durable one (dialect.commit_durably), and connections checked before use
so a restarted server is reconnected to instead of failing one call per pooled connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from execution.store.urls import StoreKind, StoreUrl

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 10.0
# A statement that has not answered by then is an outage, not a slow query (the store runs none).
COMMAND_TIMEOUT_S = 60.0


def make_engine(url: StoreUrl) -> AsyncEngine:
    assert url.sqlalchemy is not None
    if url.kind is StoreKind.SQLITE:
        engine = create_async_engine(url.sqlalchemy, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_settings(engine)
        return engine
    return create_async_engine(
        url.sqlalchemy,
        pool_pre_ping=True,
        connect_args={"timeout": CONNECT_TIMEOUT_S, "command_timeout": COMMAND_TIMEOUT_S,
                      # Durable commits are asked for where they matter (dialect.commit_durably).
                      "server_settings": {"application_name": "flowexec", "synchronous_commit": "off"}},
    )


def _sqlite_settings(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN: transactions start below
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # The store's writer connection leaves BEGIN to the sqlite3 module (before its first
        # write, no extra trip to aiosqlite's thread): see implicit_begin.
        if conn.connection.dbapi_connection.isolation_level is None:
            conn.exec_driver_sql("BEGIN")


async def implicit_begin(conn: AsyncConnection) -> None:
    """Let the sqlite3 module open this connection's transactions itself (before the first
    INSERT/UPDATE/DELETE): for the store's writer, whose transactions always write and where
    an explicit BEGIN would cost a round trip per batch."""

    def set_mode(sync_conn: Connection) -> None:
        sync_conn.connection.dbapi_connection.isolation_level = "DEFERRED"  # type: ignore[union-attr]

    await conn.run_sync(set_mode)
