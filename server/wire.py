"""FlowService on the wire: its method handlers, and decoding ExecuteFlow's request bytes.

The generated `add_FlowServiceServicer_to_server` gives grpc the request's `FromString`, and
grpc calls it before any of our code runs: bytes that do not decode (a corrupt wire format,
invalid UTF-8 in a string, a Struct nested past protobuf's depth limit) end as UNKNOWN
"Unexpected DecodeError" with a traceback logged per request. So ExecuteFlow is registered
here with no request deserializer: the handler receives the raw bytes, decodes them with
`decode_request`, and answers INVALID_ARGUMENT when they are not an ExecuteFlowRequest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from google.protobuf.message import DecodeError

from flowexec.v1 import flow_service_pb2

if TYPE_CHECKING:
    from server.servicer import FlowService

SERVICE_NAME = flow_service_pb2.DESCRIPTOR.services_by_name["FlowService"].full_name

# upb's wording for a message nested past its depth limit (100 levels; a Struct in node
# `data` spends three per level of nesting).
_TOO_DEEP = "Exceeded upb_DecodeOptions_MaxDepth"


class UndecodableRequest(ValueError):
    """The request bytes are not an ExecuteFlowRequest; str() says why, briefly."""


def decode_request(raw: bytes) -> flow_service_pb2.ExecuteFlowRequest:
    request = flow_service_pb2.ExecuteFlowRequest()
    try:
        request.ParseFromString(raw)
    except DecodeError as err:
        # "Error parsing message with type 'flowexec.v1.ExecuteFlowRequest': <why>"
        why = str(err).rpartition(": ")[2] or "corrupt wire format"
        if why == _TOO_DEEP:
            why = "messages nested too deeply (a Struct in node data nests at most ~30 levels)"
        raise UndecodableRequest(f"request is not a valid ExecuteFlowRequest: {why}") from None
    return request


def add_flow_service(servicer: FlowService, server: grpc.aio.Server) -> None:
    """Register `servicer.ExecuteFlow(raw: bytes, context)` as flowexec.v1.FlowService/ExecuteFlow."""
    handlers = {
        "ExecuteFlow": grpc.unary_stream_rpc_method_handler(
            servicer.ExecuteFlow,
            request_deserializer=None,  # raw bytes: the handler decodes them
            response_serializer=flow_service_pb2.ExecuteFlowResponse.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)
