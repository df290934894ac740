"""SQLite: a batch of a run's writes in one trip to a thread of its own, in few statements.

Through aiosqlite each statement is a trip to its thread and back, and the way back waits for an
iteration of the event loop — ~10 ms each while a large run keeps the loop busy: a batch of five
statements took ~80 ms, the writer fell a whole run behind, and the run's last events waited
for one big final commit. Here a batch (BEGIN, its statements, COMMIT) is one call in a thread
that owns its own connection to the database: one trip per batch. The store's other writes
still go through SQLAlchemy's connection; Transactions runs both under one lock, so they never
wait on SQLite's busy timeout for each other.

Rows go in multi-row INSERTs (up to ROWS_PER_STATEMENT, the rest in power-of-two chunks, so that
few distinct statements are prepared): the sqlite3 module lets go of the GIL around every
statement step, and getting it back from a busy event loop takes up to a switch interval, so a
row per step made a batch of 4,000 rows wait ~1,000 times as long as its writing took.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from execution.store.sql.batch_rows import EVENT_COLUMNS, IMAGE_COLUMNS, NODE_COLUMNS, NODE_CONFLICT, BatchRows
from execution.store.sql.engine import SQLITE_BUSY_TIMEOUT_MS

T = TypeVar("T")

# Rows per INSERT at most: 512 node rows bind 4,608 values (SQLite takes up to 32,766).
ROWS_PER_STATEMENT = 512
_INSERT_IMAGES = (f"INSERT INTO images ({', '.join(IMAGE_COLUMNS)}) VALUES (?, ?, ?, ?) "
                  "ON CONFLICT (sha256) DO NOTHING")


class SqliteWriter:
    """A thread with its own connection, running one transaction per call."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flowexec-sqlite-writer")
        self._conn: sqlite3.Connection | None = None  # opened in the thread, on first use
        self._closed = False

    async def transaction(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` in one transaction in the writer's thread: committed when it returns, rolled
        back when it raises (sqlite3 errors come as they are: errors.store_errors maps them)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._run, work)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        if conn is None:
            conn = self._conn = _connect(self._path)
        conn.execute("BEGIN IMMEDIATE")  # the write lock now, not at the first write
        try:
            result = work(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _connect(path: Path) -> sqlite3.Connection:
    """As the engine's connections are set up (engine.py), transactions begun explicitly."""
    conn = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def write_batch(conn: sqlite3.Connection, batch: BatchRows) -> None:
    """The batch's statements (in the writer's thread, inside its transaction). KeyError when
    the run does not exist."""
    if batch.new_run is not None:
        conn.execute(_insert_run_sql(tuple(batch.new_run)), tuple(batch.new_run.values()))
    elif batch.update:
        cursor = conn.execute(_update_sql(tuple(batch.update)), (*batch.update.values(), batch.run_id))
        if cursor.rowcount != 1:
            raise KeyError(batch.run_id)
    elif conn.execute("SELECT 1 FROM runs WHERE run_id = ?", (batch.run_id,)).fetchone() is None:
        raise KeyError(batch.run_id)
    _insert_rows(conn, "events", EVENT_COLUMNS, "", batch.events)
    if batch.images:
        conn.executemany(_INSERT_IMAGES, [(i.sha256, i.mime_type, len(i.data), i.data) for i in batch.images])
    # One row per node (node_rows folds them): no row meets one of its own statement's rows.
    _insert_rows(conn, "nodes", NODE_COLUMNS, NODE_CONFLICT, batch.nodes)


def _insert_rows(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], conflict: str,
                 rows: Sequence[tuple[object, ...]]) -> None:
    full = len(rows) - len(rows) % ROWS_PER_STATEMENT
    if full:
        conn.executemany(_insert_sql(table, columns, conflict, ROWS_PER_STATEMENT),
                         [_flat(rows[i:i + ROWS_PER_STATEMENT]) for i in range(0, full, ROWS_PER_STATEMENT)])
    for start, size in _chunks(full, len(rows) - full):
        conn.execute(_insert_sql(table, columns, conflict, size), _flat(rows[start:start + size]))


def _chunks(start: int, count: int) -> Iterator[tuple[int, int]]:
    """(start, size) of power-of-two chunks covering `count` rows from `start`, largest first."""
    size = ROWS_PER_STATEMENT
    while count:
        size = min(size, 1 << (count.bit_length() - 1))
        yield start, size
        start, count = start + size, count - size


def _flat(rows: Sequence[tuple[object, ...]]) -> tuple[object, ...]:
    return tuple(itertools.chain.from_iterable(rows))


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...], conflict: str, rows: int) -> str:
    values = ", ".join([f"({', '.join('?' * len(columns))})"] * rows)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} {conflict}".rstrip()


@functools.cache
def _insert_run_sql(columns: tuple[str, ...]) -> str:
    return f"INSERT INTO runs ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@functools.cache
def _update_sql(columns: tuple[str, ...]) -> str:
    return f"UPDATE runs SET {', '.join(f'{column} = ?' for column in columns)} WHERE run_id = ?"
