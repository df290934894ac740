"""Requests a client should not send, over a real channel: each one is INVALID_ARGUMENT with a
short message, before any event — never UNKNOWN, never a traceback in the server's log."""

from __future__ import annotations

import logging
import math

import grpc
import pytest
from google.protobuf import struct_pb2
from google.protobuf.internal.encoder import _VarintBytes

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request

EXECUTE_FLOW = "/flowexec.v1.FlowService/ExecuteFlow"


async def events_until_error(client: FlowClient, request: flow_service_pb2.ExecuteFlowRequest
                             ) -> tuple[list[events_pb2.NodeEvent], grpc.aio.AioRpcError]:
    events = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in client.execute_flow(request):
            events.append(event)
    return events, info.value


async def call_raw(target: str, payload: bytes) -> grpc.aio.AioRpcError:
    """ExecuteFlow with `payload` as the request bytes, from a client with default settings."""
    async with grpc.aio.insecure_channel(target) as channel:
        method = channel.unary_stream(EXECUTE_FLOW, request_serializer=None, response_deserializer=None)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in method(payload):
                pass
    return info.value


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field, encoded by hand (the client-side encoder has depth limits too)."""
    return _VarintBytes(number << 3 | 2) + _VarintBytes(len(payload)) + payload


def deep_struct_request(levels: int) -> bytes:
    """An ExecuteFlowRequest whose one node's `data` nests `levels` Structs: {"a": {"a": …}}."""
    struct = b""
    for _ in range(levels):  # Struct.fields entry {key: "a", value: Value{struct_value: struct}}
        struct = _field(1, _field(1, b"a") + _field(2, _field(5, struct)))
    return _field(2, _field(1, b"n") + _field(2, b"textOutput") + _field(3, struct))


async def test_nan_and_infinity_in_node_data_name_the_node_and_field(client: FlowClient) -> None:
    data = struct_pb2.Struct()
    data.update({"width": math.nan, "size": {"h": math.inf}, "steps": [1, -math.inf], "ok": 3})
    nodes = [pb_node("a", "textOutput"), pb_node("b", "textOutput"), graph_pb2.Node(id="gen", type="textOutput", data=data)]
    events, error = await events_until_error(client, pb_request(nodes, [], dry_run=True))
    assert events == []
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert sorted(field_violations(error)) == [
        ("nodes[2].data.size.h", "node 'gen' has a non-finite number (Infinity)"),
        ("nodes[2].data.steps[1]", "node 'gen' has a non-finite number (-Infinity)"),
        ("nodes[2].data.width", "node 'gen' has a non-finite number (NaN)"),
    ]


async def test_nan_in_a_cached_output_is_invalid_argument(client: FlowClient) -> None:
    call = graph_pb2.ProviderCall(provider_id="mistral", model="m", temperature=math.nan)
    cached = {"a": graph_pb2.NodeOutput(text="A", provider_calls=[call])}
    request = pb_request([pb_node("a", "diag.delay"), pb_node("b", "textOutput")], [pb_edge("a", "b")],
                         trigger_node_id="b", cached_outputs=cached)
    events, error = await events_until_error(client, request)
    assert events == [] and error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == [('cached_outputs["a"].provider_calls[0].temperature',
                                        "cached output of node 'a' has a non-finite temperature (NaN)")]


@pytest.mark.parametrize(("payload", "why"), [
    (b"\xff\xff\xff\xff", "Wire format was corrupt"),
    (_field(1, b"flow-\xff"), "String field had bad UTF-8"),
    (deep_struct_request(40), "nested too deeply"),
], ids=["corrupt", "bad-utf8", "deep-struct"])
async def test_undecodable_request_is_invalid_argument_with_one_short_log_line(
        start_server, caplog: pytest.LogCaptureFixture, payload: bytes, why: str) -> None:
    target = await start_server()
    with caplog.at_level(logging.INFO):
        error = await call_raw(target, payload)
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert error.details().startswith("request is not a valid ExecuteFlowRequest") and why in error.details()
    assert len(error.details()) < 200
    [rejected] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("rejected request")]
    assert rejected.startswith(f"rejected request of {len(payload)} bytes from ipv4:127.0.0.1:") and why in rejected
    assert len(rejected) < 300
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_deep_struct_within_the_decoder_limit_still_runs(start_server) -> None:
    async with grpc.aio.insecure_channel(await start_server()) as channel:
        method = channel.unary_stream(EXECUTE_FLOW, request_serializer=None,
                                      response_deserializer=flow_service_pb2.ExecuteFlowResponse.FromString)
        events = [e async for r in method(deep_struct_request(20)) for e in r.events]
    assert events[-1].run_completed.counts.complete == 1


async def test_thousands_of_violations_fit_a_default_client(start_server) -> None:
    """Every bad edge is a violation: the details must still fit the 8 KiB metadata soft limit."""
    target = await start_server()
    edges = [pb_edge("a", f"ghost{i}", edge_id=f"e{i}") for i in range(5000)]
    request = pb_request([pb_node("a", "textOutput")], edges)
    error = await call_raw(target, request.SerializeToString())
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    violations = field_violations(error)
    assert 1 < len(violations) <= 21
    assert violations[0] == ("edges[0].target", "edge 'e0' target 'ghost0' is not a node of the flow")
    assert violations[-1][1].startswith(f"… and {5000 - (len(violations) - 1)} more violations")
    assert "(and 4999 more)" in error.details()
    assert sum(len(k) + len(v) for k, v in error.trailing_metadata()) < 8 * 1024


async def test_ten_kilobyte_ids_are_shortened_in_the_details(start_server) -> None:
    target = await start_server()
    long_id = "n" * 10_000
    nodes = [pb_node(long_id, "textOutput"), pb_node(long_id, "diag.delay")] * 30
    edges = [pb_edge(long_id, "g" * 10_000 + str(i), edge_id="e" * 10_000 + str(i)) for i in range(100)]
    request = pb_request(nodes, edges, trigger_node_id="t" * 10_000)
    error = await call_raw(target, request.SerializeToString())
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    violations = field_violations(error)
    assert 1 < len(violations) <= 21
    assert violations[0] == ("nodes[1].id", f"node id '{'n' * 64}…' (10000 chars) is used again by a different "
                                            "node (first at nodes[0])")
    assert all(len(field) + len(description) < 600 for field, description in violations)
    assert sum(len(k) + len(v) for k, v in error.trailing_metadata()) < 8 * 1024
