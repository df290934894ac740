"""The run manager's wire format (execution.runs.codec.RunCodec), in protobuf.

An event is encoded once, as one NodeEvent message; those bytes are stored and sent to every
watcher as they are. A response (ExecuteFlowResponse, WatchRunResponse: both `repeated
NodeEvent events = 1`) is built from the payloads without decoding them: each is framed as
field 1 (tag 0x0A, varint length, bytes), which is exactly what serializing the message would
write (server.batching). The streaming handlers are registered with no response serializer (server.wire), so
these bytes go out untouched.
"""

from __future__ import annotations

from execution.events import Event
from execution.graph.model import FlowRequest
from flowexec.v1 import events_pb2, flow_service_pb2
from server import convert, wire

EVENTS_TAG = b"\x0a"  # field 1, wire type 2 (length-delimited)
# Varints of the lengths most payloads have (one or two bytes), made once.
_SHORT = [bytes((n,)) for n in range(0x80)]


class ProtobufRunCodec:
    def encode_event(self, event: Event, *, provider_calls: bool = False) -> bytes:
        message = events_pb2.NodeEvent()
        convert.fill_event(message, event, provider_calls=provider_calls)
        return message.SerializeToString()

    def encode_request(self, request: FlowRequest) -> bytes:
        return convert.request_to_proto(request).SerializeToString()

    def decode_request(self, data: bytes) -> FlowRequest:
        return convert.request_from_proto(wire.decode(data, flow_service_pb2.ExecuteFlowRequest))


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
