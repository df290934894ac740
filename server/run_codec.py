"""The run manager's wire format (execution.runs.codec.RunCodec), in protobuf.

An event is encoded once, as one NodeEvent message; those bytes are stored and sent to every
watcher as they are. A response (ExecuteFlowResponse, WatchRunResponse: both `repeated
NodeEvent events = 1`) is built from the payloads without decoding them: each is framed as
field 1 (tag 0x0A, varint length, bytes), which is exactly what serializing the message would
write (server.batching). The streaming handlers are registered with no response serializer (server.wire), so
these bytes go out untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from execution.events import Event, NodeStatusChanged, StatusReason, TextDelta
from execution.graph.model import FlowRequest
from flowexec.v1 import events_pb2, flow_service_pb2
from server import convert, wire

EVENTS_TAG = b"\x0a"  # field 1, wire type 2 (length-delimited)
# Varints of the lengths most payloads have (one or two bytes), made once.
_SHORT = [bytes((n,)) for n in range(0x80)]


class ProtobufRunCodec:
    def encode_event(self, event: Event, *, provider_calls: bool = False) -> bytes:
        fast = _FAST.get(type(event.body))
        if fast is not None:
            return fast(event)
        message = events_pb2.NodeEvent()
        convert.fill_event(message, event, provider_calls=provider_calls)
        return message.SerializeToString()

    def encode_request(self, request: FlowRequest) -> bytes:
        return convert.request_to_proto(request).SerializeToString()

    def decode_request(self, data: bytes) -> FlowRequest:
        return convert.request_from_proto(wire.decode(data, flow_service_pb2.ExecuteFlowRequest))


# The two events nearly every event is (a bare status, a text delta), written
# field by field without convert.fill_event's dispatch: the same message, in half the time.
_NodeEvent = events_pb2.NodeEvent
_STATUS = convert.STATUS
_NO_REASON = StatusReason.NONE


def _status_event(event: Event) -> bytes:
    body: NodeStatusChanged = event.body  # type: ignore[assignment]
    if body.reason is not _NO_REASON or body.message:  # the general path writes those
        message = _NodeEvent()
        convert.fill_event(message, event)
        return message.SerializeToString()
    message = _NodeEvent()
    message.run_id = event.run_id
    message.seq = event.seq
    stamp = message.time
    stamp.seconds, stamp.nanos = divmod(event.time_ns, 1_000_000_000)
    status = message.node_status
    status.node_id = body.node_id
    status.status = _STATUS[body.status]
    return message.SerializeToString()


def _delta_event(event: Event) -> bytes:
    body: TextDelta = event.body  # type: ignore[assignment]
    message = _NodeEvent()
    message.run_id = event.run_id
    message.seq = event.seq
    stamp = message.time
    stamp.seconds, stamp.nanos = divmod(event.time_ns, 1_000_000_000)
    delta = message.text_delta
    delta.node_id = body.node_id
    delta.chunk = body.chunk
    return message.SerializeToString()


_FAST: dict[type, Callable[[Event], bytes]] = {NodeStatusChanged: _status_event, TextDelta: _delta_event}


def varint(n: int) -> bytes:
    if n < 0x80:
        return _SHORT[n]
    if n < 0x4000:
        return bytes((n & 0x7F | 0x80, n >> 7))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)
