"""The benchmark graphs, defined once and rendered for each runner.

A Shape is nodes with a duration (seconds of awaited "work", 0 = no-op) plus edges. The same
Shape becomes a domain FlowRequest (in-process engine), an ExecuteFlowRequest (gRPC), the
floor scheduler's input, or a LangGraph StateGraph, so every runner does identical work.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from google.protobuf import struct_pb2

from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId
from flowexec.v1 import flow_service_pb2, graph_pb2


@dataclass(frozen=True)
class Shape:
    name: str
    seconds: dict[str, float]
    edges: tuple[tuple[str, str], ...]

    @cached_property
    def upstream(self) -> dict[str, list[str]]:
        up: dict[str, list[str]] = {n: [] for n in self.seconds}
        for src, dst in self.edges:
            up[dst].append(src)
        return up

    @cached_property
    def critical_path(self) -> float:
        """Longest sum of durations along any path: the ideal makespan with unlimited slots."""
        finish: dict[str, float] = {}
        for node in self.seconds:  # every builder lists nodes in topological order
            finish[node] = self.seconds[node] + max((finish[u] for u in self.upstream[node]), default=0.0)
        return max(finish.values())

    def to_domain(self, node_type: str, max_concurrency: int = 0) -> FlowRequest:
        nodes = tuple(Node(NodeId(n), node_type, {"seconds": s} if s else {}) for n, s in self.seconds.items())
        edges = tuple(Edge(EdgeId(f"e{i}"), NodeId(a), NodeId(b)) for i, (a, b) in enumerate(self.edges))
        return FlowRequest(FlowId(self.name), nodes, edges, options=RunOptions(max_concurrency=max_concurrency))

    def to_proto(self, node_type: str, max_concurrency: int = 0,
                 extra_data: dict[str, object] | None = None) -> flow_service_pb2.ExecuteFlowRequest:
        request = flow_service_pb2.ExecuteFlowRequest(flow_id=self.name)
        request.options.max_concurrency = max_concurrency
        for node_id, seconds in self.seconds.items():
            data = struct_pb2.Struct()
            data.update({"seconds": seconds, **(extra_data or {})})
            request.nodes.append(graph_pb2.Node(id=node_id, type=node_type, data=data))
        for i, (src, dst) in enumerate(self.edges):
            request.edges.append(graph_pb2.Edge(id=f"e{i}", source=src, target=dst))
        return request


def chain(n: int, seconds: float = 0.0) -> Shape:
    ids = [f"n{i}" for i in range(n)]
    return Shape(f"chain{n}", {i: seconds for i in ids}, tuple(pairwise(ids)))


def fan_out(n: int, seconds: float) -> Shape:
    """A no-op root feeding n independent nodes of `seconds` each."""
    nodes = {"root": 0.0, **{f"n{i}": seconds for i in range(n)}}
    return Shape(f"fanout{n}", nodes, tuple(("root", f"n{i}") for i in range(n)))


def independent(n: int, seconds: float = 0.0) -> Shape:
    return Shape(f"independent{n}", {f"n{i}": seconds for i in range(n)}, ())


def uneven_diamond() -> Shape:
    """start → A1 (0.2 s) → A2 (0.2 s) → end; start → B1 (0.05 s) → B2 (0.3 s) → end.

    Critical path 0.4 s. A superstep scheduler runs A1‖B1 (0.2 s) then A2‖B2 (0.3 s) = 0.5 s.
    """
    nodes = {"start": 0.0, "a1": 0.2, "b1": 0.05, "a2": 0.2, "b2": 0.3, "end": 0.0}
    edges = (("start", "a1"), ("start", "b1"), ("a1", "a2"), ("b1", "b2"), ("a2", "end"), ("b2", "end"))
    return Shape("diamond", nodes, edges)


def ten_node_flow(seconds: float) -> Shape:
    """A typical small AI flow: root → 4 parallel branches of 2 → join (critical path 4 nodes)."""
    nodes = {"root": seconds}
    edges = []
    for b in range(4):
        nodes[f"b{b}a"] = seconds
        edges.append(("root", f"b{b}a"))
    for b in range(4):
        nodes[f"b{b}b"] = seconds
        edges.append((f"b{b}a", f"b{b}b"))
    nodes["join"] = seconds
    edges += [(f"b{b}b", "join") for b in range(4)]
    return Shape("ten", nodes, tuple(edges))
