"""WatchRun: exactly the events after a seq, gap-free, from storage and live, for any number of watchers."""

from __future__ import annotations

import asyncio
import time

import pytest

from execution.runs import RunPolicy
from execution.store.base import RunStore
from flowexec.v1 import events_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, Runs, is_status, seqs
from tests.runs.stores import FaultyStore


def streaming_flow(chunks: int = 60, interval: float = 0.005) -> object:
    """A node streaming `chunks` deltas, a slower independent node, and one fed by both."""
    return pb_request(
        [pb_node("s", "diag.stream", chunks=[f"c{i} " for i in range(chunks)], interval=interval),
         pb_node("d", "diag.delay", seconds=0.1, text="D"), pb_node("o", "textOutput")],
        [pb_edge("s", "o"), pb_edge("d", "o")],
    )


def wire(events: list[events_pb2.NodeEvent]) -> list[bytes]:
    return [e.SerializeToString() for e in events]


async def test_watch_from_zero_and_from_every_seq_of_a_finished_run(runs: Runs) -> None:
    run = await runs.start(streaming_flow(chunks=20, interval=0))
    full = await runs.watch(run.run_id)
    assert seqs(full) == list(range(1, len(full) + 1))
    assert full[0].HasField("run_started") and full[-1].HasField("run_completed")
    assert full[-1].run_completed.outputs["o"].text.startswith("c0 c1")
    for after in range(len(full) + 2):
        assert wire(await runs.watch(run.run_id, after)) == wire(full[after:]), after


async def test_watchers_joining_mid_run_from_any_seq_get_exactly_the_missing_events(runs: Runs) -> None:
    run = await runs.start(streaming_flow(chunks=80, interval=0.01))
    first = runs.watch_call(run.run_id)
    seen: list[events_pb2.NodeEvent] = []
    late: list[asyncio.Task[list[events_pb2.NodeEvent]]] = []
    async for response in first:
        seen.extend(response.events)
        if len(seen) > 20 and len(late) < 6:  # while the run is live: from 0, from an old seq, from now, past now
            n = len(seen)
            after = (0, 1, 7, n - 5, n, n + 3)[len(late)]
            late.append(asyncio.create_task(runs.watch(run.run_id, after)))
    assert seen[-1].HasField("run_completed")
    for task in late:
        events = await task
        assert events and seqs(events) == list(range(seqs(events)[0], len(seen) + 1))
        assert wire(events) == wire(seen[seqs(events)[0] - 1:])


async def test_fifty_watchers_of_one_run_see_the_same_sequence(runs: Runs) -> None:
    run = await runs.start(streaming_flow(chunks=200, interval=0.002))

    async def watcher(delay: float) -> list[bytes]:
        await asyncio.sleep(delay)
        return wire(await runs.watch(run.run_id, timeout=30))

    results = await asyncio.gather(*(watcher(i * 0.01) for i in range(50)))
    reference = wire(await runs.watch(run.run_id))
    assert len(reference) > 200
    assert all(result == reference for result in results)


async def test_a_watcher_dropped_mid_run_reconnects_with_after_seq(runs: Runs) -> None:
    run = await runs.start(streaming_flow(chunks=100, interval=0.005))
    seen: list[events_pb2.NodeEvent] = []
    call = runs.watch_call(run.run_id)
    async for response in call:
        seen.extend(response.events)
        if len(seen) >= 30:
            call.cancel()  # the connection drops mid-run
            break
    assert not seen[-1].HasField("run_completed")
    rest = await runs.watch(run.run_id, seen[-1].seq)
    together = seen + rest
    assert seqs(together) == list(range(1, len(together) + 1))
    assert together[-1].HasField("run_completed")
    assert wire(together) == wire(await runs.watch(run.run_id))


async def test_a_watcher_behind_the_memory_tail_is_served_from_the_store(serve: Serve, run_store: RunStore) -> None:
    # A tail of 8 events, and a watcher (the manager's own iterator: no HTTP/2 buffers in between)
    # that pauses after its first batch until the run is over: it is far behind the tail.
    store = FaultyStore(run_store)
    server = await serve(store=store, policy=RunPolicy(tail_events=8, tail_bytes=1 << 20, watch_batch_events=4))
    async with Runs(server.target) as runs:
        run = await runs.start(streaming_flow(chunks=150, interval=0))
        watch = server.runs.watch(run.run_id, "local")  # type: ignore[arg-type]
        seen = [e.seq for e in await anext(watch)]
        await runs.wait_for_state(run.run_id, 3)  # SUCCEEDED: every event went by the paused watcher
        reads = store.event_reads
        async for batch in watch:
            seen += [e.seq for e in batch]
        assert store.event_reads > reads + 10  # what the tail had dropped came from the store
    assert seen == list(range(1, len(seen) + 1)) and len(seen) > 150


async def test_after_seq_beyond_the_end(runs: Runs) -> None:
    finished = await runs.start(pb_request([pb_node("t", "textOutput")], []))
    last = len(await runs.watch(finished.run_id))
    started = time.monotonic()
    assert await runs.watch(finished.run_id, last + 100) == []  # a finished run: ends at once
    assert time.monotonic() - started < 1

    live = await runs.start(pb_request([pb_node("a", "diag.delay", seconds=0.3, text="A"),
                                        pb_node("b", "diag.delay", seconds=0.3, text="B")], [pb_edge("a", "b")]))
    seen: list[events_pb2.NodeEvent] = []
    async for response in runs.watch_call(live.run_id):
        seen.extend(response.events)
        if any(is_status(e, "a", COMPLETE) for e in seen):
            break
    # From the live run's end: waits, receives the new events only, ends with the run.
    rest = await runs.watch(live.run_id, seen[-1].seq)
    assert rest and rest[0].seq == seen[-1].seq + 1 and rest[-1].HasField("run_completed")
    assert any(is_status(e, "b", COMPLETE) for e in rest)


@pytest.mark.parametrize("rpc", ["WatchRun", "ExecuteFlow"])
async def test_a_quiet_stream_gets_keepalives(serve: Serve, rpc: str) -> None:
    server = await serve(watch_keepalive_seconds=0.1)
    flow = pb_request([pb_node("slow", "diag.delay", seconds=0.65, text="done")], [])
    async with Runs(server.target) as runs:
        call = runs.watch_call((await runs.start(flow)).run_id) if rpc == "WatchRun" else runs.execute(flow)
        responses = [response async for response in call]
    empty = [r for r in responses if not r.events]
    events = [e for r in responses for e in r.events]
    assert len(empty) >= 3  # ~0.6 s without events, one keepalive every 0.1 s
    assert seqs(events) == list(range(1, len(events) + 1)) and events[-1].HasField("run_completed")
