"""The run codec's fast encoders (status and text-delta events) write exactly the bytes the
general path (convert.fill_event) writes."""

from __future__ import annotations

import pytest

from execution.events import Event, EventBody, NodeStatus, NodeStatusChanged, StatusReason, TextDelta
from execution.ids import NodeId, RunId
from flowexec.v1 import events_pb2
from server import convert
from server.run_codec import ProtobufRunCodec

BODIES: list[EventBody] = [
    *(NodeStatusChanged(NodeId("n-1"), status) for status in NodeStatus),
    NodeStatusChanged(NodeId("n-1"), NodeStatus.ERROR, StatusReason.TIMEOUT, "took too long", True),
    NodeStatusChanged(NodeId("n-1"), NodeStatus.SKIPPED, StatusReason.UPSTREAM_FAILED, "Upstream node failed"),
    NodeStatusChanged(NodeId("n-1"), NodeStatus.RUNNING, message="reply 1 of 3 did not fit; asking again"),
    TextDelta(NodeId("n-1"), "a chunk, ünïcode too "),
    TextDelta(NodeId("n-1"), ""),
]


@pytest.mark.parametrize("body", BODIES, ids=repr)
def test_fast_encoders_write_what_fill_event_writes(body: EventBody) -> None:
    event = Event(RunId("ab" * 16), 300, 1_700_000_123_456_789_012, body)
    message = events_pb2.NodeEvent()
    convert.fill_event(message, event)
    assert ProtobufRunCodec().encode_event(event) == message.SerializeToString()
