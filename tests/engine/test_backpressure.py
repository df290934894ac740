"""A run and a reader that falls behind: the run waits rather than queueing without bound,
and a streaming node's text is merged, never lost. In-process; the end-to-end memory bound
with a real server and client is tests/server/test_slow_reader.py."""

from __future__ import annotations

import asyncio

from execution.engine import Engine
from execution.events import Event, NodeOutputProduced, NodeStatus, NodeStatusChanged, TextDelta
from execution.nodes.builtin import builtin_registry
from execution.run_limits import Limits
from execution.stream import MAX_MERGED_CHARS
from tests.builders import flow, node


def engine(high_water: int) -> Engine:
    return Engine(builtin_registry(diagnostic_nodes=True), limits=Limits(stream_high_water=high_water))


async def test_no_node_starts_while_the_reader_is_behind() -> None:
    eng = engine(high_water=64)
    run = eng.start(eng.prepare(flow([node(f"n{i}", "diag.delay") for i in range(300)], [], concurrency=2)))
    batches = run.batches()
    events: list[Event] = list(await anext(batches))  # run_started and 300 × pending
    # The reader now stalls: after ~64 more events the run must stop starting nodes.
    done, _ = await asyncio.wait([asyncio.create_task(run.finished.wait())], timeout=0.5)
    assert not done, "the run went on to the end with nobody reading"
    started = sum(run.status(n) is not NodeStatus.PENDING for n in run.plan.planned)
    assert started <= 64 // 2 + 2  # each node queues ≥ 2 events (running, output, complete)
    async for batch in batches:
        events += batch
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].body.counts.complete == 300  # type: ignore[union-attr]


async def test_text_of_a_stalled_reader_is_merged_into_fewer_deltas_and_none_is_lost() -> None:
    eng = engine(high_water=16)
    nodes = [node("a", "diag.flood", count=60_000, text="0123456789", every=7),
             node("b", "diag.flood", count=20_000, text="β", every=3)]
    run = eng.start(eng.prepare(flow(nodes, [])))
    batches = run.batches()
    events: list[Event] = list(await anext(batches))
    await asyncio.wait_for(run.finished.wait(), 20)  # the reader is away until the run is over
    async for batch in batches:
        events += batch
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    for node_id, text in (("a", "0123456789" * 60_000), ("b", "β" * 20_000)):
        deltas = [e.body.chunk for e in events if isinstance(e.body, TextDelta) and e.body.node_id == node_id]
        [output] = [e.body.output for e in events if isinstance(e.body, NodeOutputProduced) and e.body.node_id == node_id]
        assert "".join(deltas) == output.text == text
        assert len(deltas) < 50 and max(map(len, deltas)) <= MAX_MERGED_CHARS
        # Merged deltas keep their place: every delta of a node comes before its output.
        seqs = [e.seq for e in events if getattr(e.body, "node_id", None) == node_id]
        kinds = [type(e.body) for e in sorted(events, key=lambda e: e.seq) if getattr(e.body, "node_id", None) == node_id]
        assert seqs == sorted(seqs) and kinds[-2:] == [NodeOutputProduced, NodeStatusChanged]
