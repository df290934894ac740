"""SqlCacheStore: the cache in the runs' database (SQLite or PostgreSQL), table `cache_entries`.

A lookup is on every cached node's path, so it skips SQLAlchemy's per-call work: one kept
connection answers it through the driver itself (aiosqlite / asyncpg), one statement, no
transaction around it (measured on SQLite: 33 µs against 725 µs through a pooled SQLAlchemy
connection, which adds BEGIN and ROLLBACK trips to aiosqlite's thread). The keys asked for
while that connection is busy go together in its next statement (`key IN (…)`), so sixteen
nodes looking up at once cost one trip, not sixteen queued ones.

Everything else is SQLAlchemy Core, statements built once, each call one short transaction
through the run store's Transactions (execution.store.sql.transactions: run to its end even when
the caller is cancelled; on SQLite, queued with the runs' writes on the one writer connection);
eviction deletes in chunks, each its own transaction, so a large eviction never holds SQLite's
one write lock for long. A lookup, too, runs to its end when its caller is cancelled (a node
of a cancelled run mid-lookup): one cut off in aiosqlite's thread could leave a transaction
open behind it. Errors cross the run store's error boundary
(execution.store.sql.errors): StoreUnavailable when the database is away; the kept connection
is then dropped and the next lookup opens another.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sqlite3
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from execution.cache.store import (
    EVICT_TO,
    CacheEntry,
    CacheStats,
    CacheStore,
    CacheUse,
    Eviction,
    NodeTypeStats,
    entry_size,
)
from execution.store.sql import dialect
from execution.store.sql.errors import store_errors
from execution.store.sql.output_codec import decode_output, encode_output
from execution.store.sql.schema import cache_entries as entries
from execution.store.sql.transactions import Transactions

if TYPE_CHECKING:
    from execution.store.sql.store import SqlRunStore

T = TypeVar("T")
EVICT_CHUNK = 1000
# Keys one lookup statement carries at most (SQLite's default host-parameter limit is 32,766).
LOOKUP_CHUNK = 500

_GET_COLUMNS = ", ".join(c.name for c in (entries.c.node_type, entries.c.output, entries.c.image,
                                           entries.c.created_at, entries.c.expires_at))
_TOUCH = (sa.update(entries).where(entries.c.key == sa.bindparam("match_key"))
          .values(hits=entries.c.hits + 1,
                  last_used_at=sa.case((entries.c.last_used_at < sa.bindparam("at"), sa.bindparam("at")),
                                       else_=entries.c.last_used_at)))
_TOTAL = sa.select(sa.func.coalesce(sa.func.sum(entries.c.size), 0))
_OLDEST = (sa.select(entries.c.key, entries.c.size)
           .order_by(entries.c.last_used_at, entries.c.key).limit(EVICT_CHUNK))
_PER_TYPE = (sa.select(entries.c.node_type, sa.func.count(), sa.func.sum(entries.c.size), sa.func.sum(entries.c.hits),
                       sa.func.max(entries.c.last_used_at))
             .group_by(entries.c.node_type).order_by(entries.c.node_type))


class SqlCacheStore(CacheStore):
    def __init__(self, engine: AsyncEngine, printable_url: str, *, transactions: Transactions | None = None) -> None:
        """`transactions`: the run store's, when the cache lives beside it (`beside`): its writes
        then queue with the runs' on SQLite's one writer connection, and the engine stays the run
        store's to dispose. None: the cache owns `engine` (the admin commands)."""
        self._engine = engine
        self.url = printable_url
        self._owns_engine = transactions is None
        self._tx = transactions or Transactions(engine, printable_url)
        self._pending: set[asyncio.Task[Any]] = set()
        self._postgres = engine.dialect.name == "postgresql"
        self._reader: AsyncConnection | None = None
        self._driver: Any = None
        self._reader_lock = asyncio.Lock()
        # Keys asked for while the kept connection is busy: they go together in the next query.
        self._waiting: dict[str, asyncio.Future[tuple[Any, BaseException | None]]] = {}

    @classmethod
    def beside(cls, runs: SqlRunStore) -> SqlCacheStore:
        """The cache in the run store's database, on its engine and its writer."""
        return cls(runs.transactions.engine, runs.url, transactions=runs.transactions)

    async def get(self, key: str, now: float) -> CacheEntry | None:
        waiting = self._waiting.get(key)
        if waiting is None:
            if not self._waiting:
                self._spawn(self._lookup_waiting())
            waiting = self._waiting[key] = asyncio.get_running_loop().create_future()
        row, error = await asyncio.shield(waiting)
        if error is not None:
            raise error
        if row is None:
            return None
        _, node_type, output_json, image, created_at, expires_at = row
        if expires_at is not None and expires_at <= now:
            return None
        output = decode_output(output_json, bytes(image) if image is not None else b"")
        return CacheEntry(key, node_type, output, created_at, expires_at)

    async def _lookup_waiting(self) -> None:
        """Look up every waiting key in one statement on the kept connection (through its driver:
        one trip), once the statement before it is done; meanwhile new keys wait for the next."""
        async with self._reader_lock:
            waiting, self._waiting = self._waiting, {}
            keys = list(waiting)
            try:
                rows = {}
                with store_errors(self.url), _sqlite_errors(self.url):
                    if self._reader is None:
                        self._reader = await self._engine.connect()
                        self._driver = (await self._reader.get_raw_connection()).driver_connection
                    for first in range(0, len(keys), LOOKUP_CHUNK):
                        for row in await self._fetch(keys[first:first + LOOKUP_CHUNK]):
                            rows[row[0]] = row
            except BaseException as error:
                await self._drop_reader()
                for future in waiting.values():
                    future.set_result((None, error))
                if not isinstance(error, Exception):
                    raise
            else:
                for key, future in waiting.items():
                    future.set_result((rows.get(key), None))

    async def _fetch(self, keys: list[str]) -> Any:
        table, key_column = entries.name, entries.c.key.name
        if self._postgres:
            return await self._driver.fetch(
                f"SELECT {key_column}, {_GET_COLUMNS} FROM {table} WHERE {key_column} = ANY($1::text[])", keys)
        marks = ", ".join("?" * len(keys))
        return await self._driver.execute_fetchall(
            f"SELECT {key_column}, {_GET_COLUMNS} FROM {table} WHERE {key_column} IN ({marks})", keys)

    async def _drop_reader(self) -> None:
        reader, self._reader, self._driver = self._reader, None, None
        if reader is not None:
            with contextlib.suppress(Exception):
                await reader.invalidate()

    async def put(self, entries_: Sequence[CacheEntry]) -> None:
        if not entries_:
            return
        rows = [_row(entry) for entry in entries_]

        async def write(conn: AsyncConnection) -> None:
            insert = dialect.upsert(conn, entries)
            replace_all = {column: insert.excluded[column] for column in rows[0] if column != "key"}
            await conn.execute(insert.on_conflict_do_update(index_elements=["key"], set_=replace_all), rows)

        await self._tx.write(write)

    async def touch(self, uses: Sequence[CacheUse]) -> None:
        if not uses:
            return

        async def write(conn: AsyncConnection) -> None:
            await conn.execute(_TOUCH, [{"match_key": use.key, "at": use.at} for use in uses])

        await self._tx.write(write)

    async def evict(self, now: float, max_bytes: int) -> Eviction:
        async def expire(conn: AsyncConnection) -> int:
            result = await conn.execute(sa.delete(entries).where(entries.c.expires_at <= now))
            return int(result.rowcount)

        expired = await self._tx.write(expire)
        total = await self._tx.read(_total)
        evicted = 0
        target = int(max_bytes * EVICT_TO)
        if total > max_bytes:
            while total > target:
                freed, removed = await self._tx.write(functools.partial(_evict_chunk, excess=total - target))
                if not removed:
                    break
                total -= freed
                evicted += removed
        return Eviction(expired, evicted, total)

    async def stats(self, now: float) -> CacheStats:
        async def read(conn: AsyncConnection) -> CacheStats:
            per_type = (await conn.execute(_PER_TYPE)).all()
            expired = (await conn.execute(sa.select(sa.func.count()).where(entries.c.expires_at <= now))).scalar_one()
            by_type = tuple(NodeTypeStats(t, int(n), int(size or 0), int(hits or 0), float(last or 0.0))
                            for t, n, size, hits, last in per_type)
            return CacheStats(sum(s.entries for s in by_type), sum(s.bytes for s in by_type), int(expired), by_type)

        return await self._tx.read(read)

    async def clear(self, node_type: str | None = None) -> int:
        statement = sa.delete(entries)
        if node_type is not None:
            statement = statement.where(entries.c.node_type == node_type)

        async def write(conn: AsyncConnection) -> int:
            return int((await conn.execute(statement)).rowcount)

        return await self._tx.write(write)

    async def close(self) -> None:
        """Let lookups in flight end and release the kept connection; the engine too when the
        cache owns it (beside a run store, the run store's close disposes it)."""
        if self._pending:
            await asyncio.wait(self._pending)
        async with self._reader_lock:
            if self._reader is not None:
                with contextlib.suppress(Exception):
                    await self._reader.close()
                self._reader = None
        if self._owns_engine:
            await self._tx.close()

    def _spawn(self, call: Awaitable[T]) -> asyncio.Future[T]:
        task = asyncio.ensure_future(call)
        self._pending.add(task)
        task.add_done_callback(self._settled)
        return task

    def _settled(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a caller that left does not leave it unread


async def _total(conn: AsyncConnection) -> int:
    return int((await conn.execute(_TOTAL)).scalar_one())


async def _evict_chunk(conn: AsyncConnection, *, excess: int) -> tuple[int, int]:
    """Delete the least recently used entries whose sizes add up to `excess` (or the oldest
    chunk, when they do not reach it); returns (bytes freed, entries deleted)."""
    keys, freed = [], 0
    for key, size in (await conn.execute(_OLDEST)).all():
        if freed >= excess:
            break
        keys.append(key)
        freed += size
    if keys:
        await conn.execute(sa.delete(entries).where(entries.c.key.in_(keys)))
    return freed, len(keys)


@contextlib.contextmanager
def _sqlite_errors(printable_url: str) -> Any:
    """The driver's own errors on SQLite (lookups bypass SQLAlchemy, whose boundary maps them)."""
    try:
        yield
    except sqlite3.Error as error:
        from execution.store.base import StoreUnavailable

        raise StoreUnavailable(f"run store {printable_url} unavailable: {error}") from error


def _row(entry: CacheEntry) -> dict[str, Any]:
    output = entry.output
    return {
        "key": entry.key,
        "node_type": entry.node_type,
        "output": encode_output(output),
        "image": output.image.data if output.image is not None else None,
        "size": entry_size(output),
        "created_at": entry.created_at,
        "last_used_at": entry.created_at,
        "expires_at": entry.expires_at,
        "hits": 0,
    }
