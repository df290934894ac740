"""A 3 KB request that doubles its text at every layer, over a real channel to a real server."""

from __future__ import annotations

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc
from tests.builders import pb_edge, pb_node, pb_request
from tests.statuses import final_statuses

ERROR, SKIPPED = events_pb2.NODE_STATUS_ERROR, events_pb2.NODE_STATUS_SKIPPED


def doubling_layers(layers: int) -> flow_service_pb2.ExecuteFlowRequest:
    """initialPrompt (1.8 KB) → textOutput × layers, each fed twice by the layer before."""
    nodes = [pb_node("l0", "initialPrompt", text="x" * 1800)]
    edges = []
    for i in range(1, layers + 1):
        nodes.append(pb_node(f"l{i}", "textOutput"))
        edges += [pb_edge(f"l{i - 1}", f"l{i}", "text", f"a{i}"), pb_edge(f"l{i - 1}", f"l{i}", "text2", f"b{i}")]
    return pb_request(nodes, edges)


async def test_layered_doubling_stops_at_the_node_text_limit(start_server) -> None:
    request = doubling_layers(16)
    assert request.ByteSize() < 3 * 1024
    async with grpc.aio.insecure_channel(await start_server()) as channel:  # a client with default settings
        responses = [r async for r in flow_service_pb2_grpc.FlowServiceStub(channel).ExecuteFlow(request)]
    assert sum(r.ByteSize() for r in responses) < 5 * 1024 * 1024  # was 236 MB: RESOURCE_EXHAUSTED
    events = [e for r in responses for e in r.events]
    final = final_statuses(events)
    # l10 would be 1800 · 2¹⁰ ≈ 1.8 MB: the first layer past the 1 MiB default.
    assert [n for n, s in final.items() if s.status == ERROR] == ["l10"]
    assert final["l10"].reason == events_pb2.STATUS_REASON_INVALID_INPUT
    assert "over the limit of 1048576 bytes per node" in final["l10"].message
    assert all(final[f"l{i}"].status == SKIPPED and final[f"l{i}"].reason == events_pb2.STATUS_REASON_UPSTREAM_FAILED
               for i in range(11, 17))
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.error, done.counts.skipped) == (10, 1, 6)
