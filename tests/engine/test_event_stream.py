"""A run's outgoing event queue (execution.stream.EventStream): what a reader receives per batch."""

from __future__ import annotations

from execution.events import NodeStatus, NodeStatusChanged, TextDelta
from execution.ids import NodeId, RunId
from execution.stream import EventStream


async def test_a_batch_holds_at_most_max_batch_events_and_the_rest_follow_in_order() -> None:
    stream = EventStream(RunId("r"), max_batch=3)
    for i in range(8):
        stream.put(NodeStatusChanged(NodeId(f"n{i}"), NodeStatus.PENDING))
    stream.close()
    batches = [[event.seq for event in batch] async for batch in stream.batches()]
    assert batches == [[1, 2, 3], [4, 5, 6], [7, 8]]


async def test_text_merged_behind_the_cut_lands_in_the_batch_that_carries_its_delta() -> None:
    # Congested from the third event on: later chunks merge into each node's queued delta, and the
    # delta that receives them is in the second batch, not the first.
    stream = EventStream(RunId("r"), max_batch=3, high_water=2)
    for node_id in ("a", "b", "c", "d"):
        stream.put(NodeStatusChanged(NodeId(node_id), NodeStatus.RUNNING))
    stream.put_text(NodeId("a"), "x")
    stream.put_text(NodeId("a"), "y")
    stream.put_text(NodeId("a"), "z")
    stream.close()
    batches = [batch async for batch in stream.batches()]
    assert [[event.seq for event in batch] for batch in batches] == [[1, 2, 3], [4, 5]]
    assert batches[1][1].body == TextDelta(NodeId("a"), "xyz")
