"""The SQL store's transactions: each runs to its end, even when its caller is cancelled.

A transaction cut off mid-statement by a cancellation leaves its connection in an unknown state
(with aiosqlite the statement even goes on in the driver's thread, holding SQLite's write lock
from a connection the pool is about to drop). So each transaction runs in a task of its own and
the caller awaits it shielded: a cancelled caller stops waiting at once, while the transaction
commits (or rolls back) as a whole and releases its connection. `close` waits for those still
in flight.

SQLite has one writer at a time: writes queue here on an asyncio lock and share one connection
(no pool round trip per batch), rather than contending on SQLite's busy timeout. A run's
batches take one more connection under the same lock, in a thread of its own (sqlite_writer.py:
one trip per batch); on PostgreSQL a batch is one statement on a connection kept for them
(postgres_batch.py, kept_connections.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from execution.store.sql.engine import implicit_begin
from execution.store.sql.errors import store_errors
from execution.store.sql.kept_connections import KeptConnections
from execution.store.sql.sqlite_writer import SqliteWriter

T = TypeVar("T")
Work = Callable[[AsyncConnection], Awaitable[T]]


class Transactions:
    def __init__(self, engine: AsyncEngine, printable_url: str, sqlite_path: Path | None = None) -> None:
        self._engine = engine
        self.url = printable_url
        self._serial_writes = engine.dialect.name == "sqlite"
        self._write_lock = asyncio.Lock()
        self._writer: AsyncConnection | None = None
        # SQLite (`sqlite_path`): the thread that writes runs' batches.
        self.batch_writer = SqliteWriter(sqlite_path) if sqlite_path is not None else None
        # PostgreSQL: the connections batch statements run on.
        self._kept = KeptConnections(engine)
        # Other single statements with connections of their own (the shared provider budgets'), by lane.
        self._lanes: dict[str, KeptConnections] = {}
        self._in_flight: set[asyncio.Task[Any]] = set()

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def read(self, work: Work[T]) -> T:
        """`work` on a connection (one snapshot on SQLite; READ COMMITTED on PostgreSQL)."""
        return await self._to_the_end(self._read(work))

    async def write(self, work: Work[T]) -> T:
        """`work` in one transaction: committed when it returns, rolled back when it raises."""
        return await self._to_the_end(self._write(work))

    async def write_in_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """SQLite: `work` in one transaction in the batch writer's thread (one trip)."""
        assert self.batch_writer is not None
        return await self._to_the_end(self._write_in_thread(self.batch_writer, work))

    async def statement(self, sql: str, parameters: tuple[Any, ...], *, lane: str = "", keep: int = 0) -> Any:
        """PostgreSQL: one statement in a transaction of its own (autocommit); its first value.
        `lane`: on connections kept for that lane (up to `keep` idle) rather than the batches'."""
        kept = self._kept
        if lane:
            kept = self._lanes.get(lane) or self._lanes.setdefault(lane, KeptConnections(self._engine, keep))
        return await self._to_the_end(self._statement(kept, sql, parameters))

    async def close(self) -> None:
        if self._in_flight:
            await asyncio.wait(set(self._in_flight))
        with store_errors(self.url):
            async with self._write_lock:
                if self._writer is not None:
                    await self._writer.close()
                    self._writer = None
                if self.batch_writer is not None:
                    await self.batch_writer.close()
            await self._kept.close()
            for lane in self._lanes.values():
                await lane.close()
            await self._engine.dispose()

    async def _write_in_thread(self, writer: SqliteWriter, work: Callable[[sqlite3.Connection], T]) -> T:
        with store_errors(self.url):
            async with self._write_lock:
                return await writer.transaction(work)

    async def _statement(self, kept: KeptConnections, sql: str, parameters: tuple[Any, ...]) -> Any:
        with store_errors(self.url):
            return await kept.fetchval(sql, parameters)

    async def _read(self, work: Work[T]) -> T:
        with store_errors(self.url):
            async with self._engine.connect() as conn:
                return await work(conn)

    async def _write(self, work: Work[T]) -> T:
        with store_errors(self.url):
            if not self._serial_writes:
                async with self._engine.begin() as conn:
                    return await work(conn)
            async with self._write_lock:
                if self._writer is None or self._writer.invalidated:
                    self._writer = await self._engine.connect()
                    await implicit_begin(self._writer)
                async with self._writer.begin():
                    return await work(self._writer)

    async def _to_the_end(self, operation: Coroutine[Any, Any, T]) -> T:
        task = asyncio.create_task(operation)
        self._in_flight.add(task)
        task.add_done_callback(self._finished)
        return await asyncio.shield(task)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a caller cancelled meanwhile is no longer there to see it
