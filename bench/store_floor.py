"""The floor of figure 7: the store's work done by its driver alone, no SQLAlchemy, no store.

Same rows, same transactions (one per batch, the run row's last_seq updated in it), same commit
mode (SQLite WAL + synchronous=NORMAL; PostgreSQL sessions with synchronous_commit off, as the
store's event batches), in tables of its own beside the store's in the same database.
"""

from __future__ import annotations

import abc
from pathlib import Path
from types import TracebackType
from typing import Any

import aiosqlite
import asyncpg

from execution.store.base import StoredEvent


class Floor(abc.ABC):
    async def __aenter__(self) -> Floor:
        await self.open()
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def create_run(self, run_id: str) -> None: ...

    @abc.abstractmethod
    async def append_all(self, run_id: str, batches: list[list[StoredEvent]]) -> None: ...

    @abc.abstractmethod
    async def read_all(self, run_id: str, page: int) -> int: ...

    @abc.abstractmethod
    async def list_page(self, owner: str, size: int) -> list[Any]: ...


FLOOR_TABLES = (
    "CREATE TABLE floor_runs (run_id VARCHAR(64) PRIMARY KEY, last_seq BIGINT NOT NULL)",
    "CREATE TABLE floor_events (run_id VARCHAR(64), seq BIGINT, payload {blob} NOT NULL, PRIMARY KEY (run_id, seq))",
)
LIST = "SELECT * FROM runs WHERE owner = {0} ORDER BY created_at DESC, run_id DESC LIMIT {1}"


class SqliteFloor(Floor):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db: aiosqlite.Connection | None = None

    async def open(self) -> None:
        self.db = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            await self.db.execute(f"PRAGMA {pragma}")
        for table in FLOOR_TABLES:
            await self.db.execute(table.format(blob="BLOB"))

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()

    async def create_run(self, run_id: str) -> None:
        assert self.db is not None
        await self.db.execute("INSERT INTO floor_runs VALUES (?, 0)", (run_id,))

    async def append_all(self, run_id: str, batches: list[list[StoredEvent]]) -> None:
        assert self.db is not None
        for batch in batches:
            await self.db.execute("BEGIN")
            await self.db.execute("UPDATE floor_runs SET last_seq = ? WHERE run_id = ?", (batch[-1].seq, run_id))
            await self.db.executemany("INSERT INTO floor_events VALUES (?, ?, ?)", [(run_id, e.seq, e.payload) for e in batch])
            await self.db.execute("COMMIT")

    async def read_all(self, run_id: str, page: int) -> int:
        assert self.db is not None
        count, after = 0, 0
        while True:
            async with self.db.execute("SELECT seq, payload FROM floor_events WHERE run_id = ? AND seq > ? "
                                       "ORDER BY seq LIMIT ?", (run_id, after, page)) as cursor:
                rows = list(await cursor.fetchall())
            if not rows:
                return count
            count += len(rows)
            after = rows[-1][0]

    async def list_page(self, owner: str, size: int) -> list[Any]:
        assert self.db is not None
        async with self.db.execute(LIST.format("?", "?"), (owner, size)) as cursor:
            return list(await cursor.fetchall())


class PostgresFloor(Floor):
    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.db: asyncpg.Connection | None = None

    async def open(self) -> None:
        self.db = await asyncpg.connect(self.uri, server_settings={"synchronous_commit": "off"})
        for table in FLOOR_TABLES:
            await self.db.execute(table.format(blob="BYTEA"))

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()

    async def create_run(self, run_id: str) -> None:
        assert self.db is not None
        await self.db.execute("INSERT INTO floor_runs VALUES ($1, 0)", run_id)

    async def append_all(self, run_id: str, batches: list[list[StoredEvent]]) -> None:
        assert self.db is not None
        for batch in batches:
            async with self.db.transaction():
                await self.db.execute("UPDATE floor_runs SET last_seq = $1 WHERE run_id = $2", batch[-1].seq, run_id)
                await self.db.copy_records_to_table("floor_events", records=[(run_id, e.seq, e.payload) for e in batch],
                                                    columns=["run_id", "seq", "payload"])

    async def read_all(self, run_id: str, page: int) -> int:
        assert self.db is not None
        count, after = 0, 0
        while True:
            rows = await self.db.fetch("SELECT seq, payload FROM floor_events WHERE run_id = $1 AND seq > $2 "
                                       "ORDER BY seq LIMIT $3", run_id, after, page)
            if not rows:
                return count
            count += len(rows)
            after = rows[-1][0]

    async def list_page(self, owner: str, size: int) -> list[Any]:
        assert self.db is not None
        return list(await self.db.fetch(LIST.format("$1", "$2"), owner, size))
