"""LiveRun's bounds and its hold-back, seen through its own methods (the gRPC tests show them end to end)."""

from __future__ import annotations

import time

from execution.engine import Engine
from execution.events import (
    Event,
    NodeOutputProduced,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    RunStarted,
    StatusCounts,
    StatusReason,
    TextDelta,
)
from execution.ids import FlowId, NodeId, RunId
from execution.nodes.builtin import builtin_registry
from execution.outputs import NodeOutput
from execution.runs.live import LiveRun
from execution.runs.policy import RunPolicy
from execution.store.base import RunRecord, RunState
from server.run_codec import ProtobufRunCodec
from tests.builders import flow, node

RUN = RunId("0" * 32)


def live_run(**policy: int) -> LiveRun:
    prepared = Engine(builtin_registry()).prepare(flow([node("n", "textOutput")], []))
    record = RunRecord(RUN, "local", FlowId("f"), RunState.RUNNING, b"", (NodeId("n"),), time.time())
    return LiveRun(record, prepared, ProtobufRunCodec(), RunPolicy(**policy))


def event(seq: int, body: object) -> Event:
    return Event(RUN, seq, time.time_ns(), body)  # type: ignore[arg-type]


def test_the_tail_keeps_only_its_bound_of_stored_events() -> None:
    live = live_run(tail_events=10, tail_bytes=1 << 20)
    live.ingest([event(1, RunStarted(FlowId("f"), (NodeId("n"),), (), False))]
                + [event(seq, TextDelta(NodeId("n"), "x")) for seq in range(2, 101)])
    assert live.tail_start == 1  # nothing is stored yet: the tail keeps everything
    write = live.take_write()
    assert write is not None and [e.seq for e in write.events] == list(range(1, 101))
    live.settle(write, stored=True)
    assert live.tail_start == 91  # stored: the tail shrinks to its bound
    assert live.events_after(50) is None  # further back: read from the store
    assert [e.seq for e in live.events_after(95) or []] == [96, 97, 98, 99, 100]


def test_a_complete_status_is_visible_only_once_its_write_is_settled() -> None:
    live = live_run()
    live.ingest([event(1, NodeStatusChanged(NodeId("n"), NodeStatus.RUNNING)),
                 event(2, NodeOutputProduced(NodeId("n"), NodeOutput(text="t"))),
                 event(3, NodeStatusChanged(NodeId("n"), NodeStatus.COMPLETE)),
                 event(4, TextDelta(NodeId("n"), "later"))])
    assert live.visible_seq == 2
    write = live.take_write()
    assert write is not None
    [record] = write.nodes
    assert record.status is NodeStatus.COMPLETE and record.output == NodeOutput(text="t")  # in the same write
    live.ingest([event(5, TextDelta(NodeId("n"), "more"))])
    assert live.visible_seq == 2  # still held: its write is not settled
    live.settle(write, stored=False)  # a failed write releases it too (the run goes on, not fully stored)
    assert live.visible_seq == 5 and not live.fully_stored


def test_a_watch_batch_is_bounded_in_bytes_too() -> None:
    live = live_run(watch_batch_events=512, watch_batch_bytes=1 << 20)
    live.ingest([event(seq, TextDelta(NodeId("n"), "x" * 300_000)) for seq in range(1, 21)])
    batch = live.events_after(0) or []
    assert [e.seq for e in batch] == [1, 2, 3, 4]  # ~1.2 MB: what a stalled watcher holds stays small
    live.ingest([event(21, TextDelta(NodeId("n"), "y" * 3_000_000))])
    assert [e.seq for e in live.events_after(20) or []] == [21]  # one event always goes, however large


def test_a_node_gets_a_row_when_it_starts_not_when_it_is_planned() -> None:
    live = live_run()
    a, b, c = NodeId("a"), NodeId("b"), NodeId("c")
    live.ingest([event(1, NodeStatusChanged(a, NodeStatus.PENDING)), event(2, NodeStatusChanged(b, NodeStatus.PENDING)),
                 event(3, NodeStatusChanged(c, NodeStatus.PENDING, StatusReason.RATE_LIMITED, "waiting")),
                 event(4, NodeStatusChanged(a, NodeStatus.RUNNING))])
    write = live.take_write()
    assert write is not None
    # A plain PENDING reads as PENDING without a row (GetRun, recovery); one with a reason is kept.
    assert {(r.node_id, r.status) for r in write.nodes} == {(a, NodeStatus.RUNNING), (c, NodeStatus.PENDING)}
    live.settle(write, stored=True)
    live.ingest([event(5, NodeStatusChanged(a, NodeStatus.PENDING))])
    write = live.take_write()
    assert write is not None
    # Back to PENDING after a stored row: the row must say so.
    assert [(r.node_id, r.status) for r in write.nodes] == [(a, NodeStatus.PENDING)]


def test_a_write_takes_at_most_its_cap_of_events_and_the_run_ends_with_the_last() -> None:
    live = live_run(write_batch_events=4)
    n = NodeId("n")
    live.ingest([event(1, NodeStatusChanged(n, NodeStatus.RUNNING)),
                 *[event(seq, TextDelta(n, "x")) for seq in range(2, 8)],
                 event(8, NodeOutputProduced(n, NodeOutput(text="t"))),
                 event(9, NodeStatusChanged(n, NodeStatus.COMPLETE)),
                 event(10, RunCompleted({}, StatusCounts(complete=1), 1))])
    writes = []
    while (write := live.take_write()) is not None:
        writes.append(write)
        live.settle(write, stored=True)
    assert [[e.seq for e in w.events] for w in writes] == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    # The node's output goes with the first write (before its COMPLETE is seen), the run's
    # finished state only with the write holding its last events.
    assert [r.output for r in writes[0].nodes] == [NodeOutput(text="t")]
    assert [w.update.state for w in writes] == [None, None, RunState.SUCCEEDED]
    assert writes[-1].update.finished_at is not None and writes[-1].update.last_seq == 10
    assert live.settled
