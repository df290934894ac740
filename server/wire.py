"""FlowService on the wire: its method handlers, and decoding request bytes.

The generated `add_FlowServiceServicer_to_server` gives grpc each request's `FromString`, and
grpc calls it before any of our code runs: bytes that do not decode (a corrupt wire format,
invalid UTF-8 in a string, a Struct nested past protobuf's depth limit) end as UNKNOWN
"Unexpected DecodeError" with a traceback logged per request. So every method is registered
here with no request deserializer: the handler receives the raw bytes, decodes them with
`decode`, and answers INVALID_ARGUMENT when they are not the request message.

The two streaming methods (ExecuteFlow, WatchRun) have no response serializer either: their
handlers yield responses already serialized from stored event payloads (server.run_codec).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import grpc
from google.protobuf.message import DecodeError, Message

from flowexec.v1 import flow_service_pb2

if TYPE_CHECKING:
    from server.servicer import FlowService

SERVICE_NAME = flow_service_pb2.DESCRIPTOR.services_by_name["FlowService"].full_name

# upb's wording for a message nested past its depth limit (100 levels; a Struct in node
# `data` spends three per level of nesting).
_TOO_DEEP = "Exceeded upb_DecodeOptions_MaxDepth"

M = TypeVar("M", bound=Message)


class UndecodableRequest(ValueError):
    """The request bytes are not the expected message; str() says why, briefly."""


def decode(raw: bytes, message_type: type[M]) -> M:
    message = message_type()
    try:
        message.ParseFromString(raw)
    except DecodeError as err:
        # "Error parsing message with type 'flowexec.v1.ExecuteFlowRequest': <why>"
        why = str(err).rpartition(": ")[2] or "corrupt wire format"
        if why == _TOO_DEEP:
            why = "messages nested too deeply (a Struct in node data nests at most ~30 levels)"
        raise UndecodableRequest(f"request is not a valid {message_type.DESCRIPTOR.name}: {why}") from None
    return message


def decode_request(raw: bytes) -> flow_service_pb2.ExecuteFlowRequest:
    return decode(raw, flow_service_pb2.ExecuteFlowRequest)


def add_flow_service(servicer: FlowService, server: grpc.aio.Server) -> None:
    """Register FlowService's methods: `servicer.X(raw: bytes, context)` for each."""
    handlers = {
        # Raw bytes in (the handler decodes them), serialized responses out (see the docstring).
        "ExecuteFlow": grpc.unary_stream_rpc_method_handler(servicer.ExecuteFlow),
        "WatchRun": grpc.unary_stream_rpc_method_handler(servicer.WatchRun),
    }
    for name, method in (("StartRun", servicer.StartRun), ("GetRun", servicer.GetRun), ("ListRuns", servicer.ListRuns),
                         ("CancelRun", servicer.CancelRun), ("ResumeRun", servicer.ResumeRun),
                         ("ListNodeTypes", servicer.ListNodeTypes), ("GetModelDefaults", servicer.GetModelDefaults)):
        handlers[name] = grpc.unary_unary_rpc_method_handler(method, response_serializer=_serialize)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)


def _serialize(message: Message) -> bytes:
    return message.SerializeToString()
