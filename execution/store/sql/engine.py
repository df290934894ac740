"""The async engine for a store URL, with each backend's connection settings.

SQLite: WAL (readers never wait for the writer), synchronous=NORMAL (a commit is safe from a
crash of the process, not from power loss, and costs no fsync), a busy timeout for the rare
second process, and real transactions: the sqlite3 module's own implicit BEGIN (before DML
only) is switched off and every SQLAlchemy transaction starts with BEGIN, so reads see one
snapshot and migrations (DDL) are atomic — SQLAlchemy's documented recipe for pysqlite/aiosqlite.

PostgreSQL: asyncpg with connect and statement timeouts, asynchronous commits unless a
transaction asks for a durable one (dialect.commit_durably), and pooled connections checked
before use so a restarted server is reconnected to instead of failing one call per pooled
connection — those idle for PING_AFTER_IDLE_S or more. SQLAlchemy's pool_pre_ping checked every
checkout: under load (a thousand runs' cache writes, lease releases and reads) that was three
more round trips for nearly every statement, to a server that had answered on the same
connection milliseconds before. A restart takes longer than PING_AFTER_IDLE_S (stopping alone
does), so a connection from before it is still checked.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, event, exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from execution.store.urls import StoreKind, StoreUrl

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 10.0
# A statement that has not answered by then is an outage, not a slow query (the store runs none).
COMMAND_TIMEOUT_S = 60.0
# A pooled PostgreSQL connection idle this long is pinged before use (module docstring).
PING_AFTER_IDLE_S = 0.1


def make_engine(url: StoreUrl) -> AsyncEngine:
    assert url.sqlalchemy is not None
    if url.kind is StoreKind.SQLITE:
        engine = create_async_engine(url.sqlalchemy, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_settings(engine)
        return engine
    engine = create_async_engine(
        url.sqlalchemy,
        connect_args={"timeout": CONNECT_TIMEOUT_S, "command_timeout": COMMAND_TIMEOUT_S,
                      # Durable commits are asked for where they matter (dialect.commit_durably).
                      "server_settings": {"application_name": "flowexec", "synchronous_commit": "off"}},
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Check a pooled connection at checkout when it was idle for PING_AFTER_IDLE_S or more: one
    the server answered a moment ago is used as it is (under load, nearly every checkout)."""

    @event.listens_for(engine.sync_engine, "checkin")
    def on_checkin(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as err:  # as pool_pre_ping does: every pooled connection is suspect now
            raise exc.InvalidatePoolError(str(err)) from err


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
