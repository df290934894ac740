"""Small builders for test graphs, in domain form and in protobuf form."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId
from execution.outputs import NodeOutput
from flowexec.v1 import flow_service_pb2, graph_pb2


def node(node_id: str, node_type: str, **data: Any) -> Node:
    return Node(NodeId(node_id), node_type, data)


def edge(source: str, target: str, handle: str = "text", edge_id: str | None = None) -> Edge:
    return Edge(EdgeId(f"{source}->{target}" if edge_id is None else edge_id), NodeId(source), NodeId(target), "out", handle)


def flow(nodes: list[Node], edges: list[Edge], *, trigger: str | None = None,
         cached: dict[str, NodeOutput] | None = None, concurrency: int = 0, provider_id: str = "mistral") -> FlowRequest:
    return FlowRequest(
        flow_id=FlowId("test-flow"),
        nodes=tuple(nodes),
        edges=tuple(edges),
        provider_id=provider_id,
        trigger_node_id=NodeId(trigger) if trigger else None,
        cached_outputs={NodeId(k): v for k, v in (cached or {}).items()},
        options=RunOptions(max_concurrency=concurrency),
    )


def pb_node(node_id: str, node_type: str, **data: Any) -> graph_pb2.Node:
    struct = struct_pb2.Struct()
    struct.update(data)
    return graph_pb2.Node(id=node_id, type=node_type, data=struct)


def pb_edge(source: str, target: str, handle: str = "text", edge_id: str | None = None) -> graph_pb2.Edge:
    return graph_pb2.Edge(id=f"{source}->{target}" if edge_id is None else edge_id, source=source, target=target,
                          source_handle="out", target_handle=handle)


def pb_request(nodes: list[graph_pb2.Node], edges: list[graph_pb2.Edge], **kwargs: Any) -> flow_service_pb2.ExecuteFlowRequest:
    options = flow_service_pb2.ExecutionOptions(
        dry_run=kwargs.pop("dry_run", False), max_concurrency=kwargs.pop("max_concurrency", 0),
        include_provider_calls=kwargs.pop("include_provider_calls", False),
    )
    return flow_service_pb2.ExecuteFlowRequest(flow_id="test-flow", nodes=nodes, edges=edges, options=options, **kwargs)
