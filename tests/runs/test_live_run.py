"""LiveRun's bounds and its hold-back, seen through its own methods (the gRPC tests show them end to end)."""

from __future__ import annotations

import time

from execution.engine import Engine
from execution.events import Event, NodeOutputProduced, NodeStatus, NodeStatusChanged, RunStarted, TextDelta
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
