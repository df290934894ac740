"""Figure 9, served: a cache hit's cost end to end — through `flowexec serve` with its runs and
its cache stored in the default SQLite database, a client over gRPC.

A flow of CHAINS × 10 real text nodes (bench.cache_figures.text_flow) runs once against the fake
provider (bench.fake_provider) to fill the cache, then again and again with every node a hit:
the wall time per node of ExecuteFlow — validation, plan, key, lookup, the run and every node
record and event stored (group commits), the events framed and consumed by the client. Floor:
the same server running a flow of the same shape made of `diag.delay` nodes of 0 s carrying the
same text (no cache, no provider): the served, stored path alone, so value − floor is what the
cache adds.
"""

from __future__ import annotations

from google.protobuf import struct_pb2

from bench.cache_figures import GROUP, text_flow
from bench.llm_flows import server_env
from bench.processes import fake_provider, flowexec_server
from bench.report import Figure
from bench.stats import median
from bench.stream_figures import _drain
from execution.graph.model import FlowRequest
from flowexec.client import FlowClient
from flowexec.v1 import flow_service_pb2, graph_pb2

# The fake provider's reply is a few hundred characters; the floor's nodes carry as much.
FLOOR_TEXT = "x" * 300


def _to_proto(request: FlowRequest, *, floor: bool) -> flow_service_pb2.ExecuteFlowRequest:
    message = flow_service_pb2.ExecuteFlowRequest(flow_id="bench-served-cache", provider_id=request.provider_id)
    for node in request.nodes:
        data = struct_pb2.Struct()
        data.update({"seconds": 0, "text": FLOOR_TEXT} if floor else dict(node.data))
        message.nodes.append(graph_pb2.Node(id=node.id, type="diag.delay" if floor else node.type, data=data))
    for edge in request.edges:
        message.edges.append(graph_pb2.Edge(id=edge.id, source=edge.source, target=edge.target,
                                            source_handle=edge.source_handle, target_handle=edge.target_handle))
    return message


async def _cached_nodes(client: FlowClient, request: flow_service_pb2.ExecuteFlowRequest) -> int:
    events = [e async for e in client.execute_flow(request)]
    done = events[-1].run_completed
    assert done.counts.complete == len(request.nodes), f"not every node completed: {done.counts}"
    return sum(1 for e in events if e.HasField("node_output") and e.node_output.output.cached)


async def served_hit_cost(quick: bool) -> Figure:
    repeats = 5 if quick else 15
    domain = text_flow(20 if quick else 50)
    n = len(domain.nodes)
    flow, floor = _to_proto(domain, floor=False), _to_proto(domain, floor=True)
    async with fake_provider(0.0, chunks=1) as fake:
        server = flowexec_server(env=server_env(fake.target), max_nodes=n, max_edges=n, log_level="WARNING")
        async with server, FlowClient(server.target) as client:
            assert await _cached_nodes(client, flow) == 0  # the fill: every node calls the fake
            assert await _cached_nodes(client, flow) == n  # every node a hit from here on
            await _drain(client.execute_flow(floor))  # warm-up
            hits, floors = [], []
            for _ in range(repeats):
                hits.append((await _drain(client.execute_flow(flow)))[2])
                floors.append((await _drain(client.execute_flow(floor)))[2])
    per_node, floor_per_node = median(hits) / n * 1e6, median(floors) / n * 1e6
    return Figure(GROUP, "hit cost per node, served (SQLite, run stored)", "µs/node", per_node, floor_per_node,
                  target="≤ 1000", ok=per_node <= 1000,
                  note=f"{n} text nodes, every one a hit, through `flowexec serve` and ExecuteFlow, the run and "
                       f"the cache in its SQLite database; floor = the same served flow of diag.delay 0 s nodes "
                       f"(no cache); the cache adds {per_node - floor_per_node:.0f} µs/node",
                  extra={"run_ms": median(hits) * 1e3, "floor_ms": median(floors) * 1e3, "nodes": n})

