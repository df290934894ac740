"""Builders for flows with named ports: nodes, edges that name their handles, requests with run
inputs — in protobuf form (for real servers) and domain form (in-process) — and readers of a
run's events per node."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from google.protobuf import json_format

from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2
from tests.builders import pb_node

__all__ = ["Seen", "domain_request", "link", "pb_link", "pb_node", "request"]


def pb_link(source: str, target: str, out: str = "", into: str = "") -> graph_pb2.Edge:
    """An edge from output `out` of `source` to input `into` of `target` (empty: whole output /
    inputs by name)."""
    return graph_pb2.Edge(id=f"{source}.{out}->{target}.{into}", source=source, target=target,
                          source_handle=out, target_handle=into)


def request(nodes: Sequence[graph_pb2.Node], edges: Sequence[graph_pb2.Edge], inputs: dict[str, Any] | None = None,
            **options: Any) -> flow_service_pb2.ExecuteFlowRequest:
    req = flow_service_pb2.ExecuteFlowRequest(flow_id="elements", nodes=nodes, edges=edges,
                                              options=flow_service_pb2.ExecutionOptions(**options))
    if inputs:
        req.initial_inputs.update(inputs)
    return req


def link(source: str, target: str, out: str = "", into: str = "") -> Edge:
    return Edge(EdgeId(f"{source}.{out}->{target}.{into}"), NodeId(source), NodeId(target), out, into)


def domain_request(nodes: Sequence[Node], edges: Sequence[Edge], inputs: dict[str, Any] | None = None,
                   **options: Any) -> FlowRequest:
    return FlowRequest(FlowId("elements"), tuple(nodes), tuple(edges), options=RunOptions(**options),
                       initial_inputs=inputs or {})


class Seen:
    """A run's wire events, read per node."""

    def __init__(self, events: Sequence[events_pb2.NodeEvent]) -> None:
        self.events = list(events)
        self.statuses: dict[str, list[int]] = {}
        self.final: dict[str, events_pb2.NodeStatusChanged] = {}
        self.at: dict[tuple[str, int], int] = {}  # (node, status) → position of that event
        self.outputs: Counter[str] = Counter()
        self.output: dict[str, graph_pb2.NodeOutput] = {}
        for i, event in enumerate(self.events):
            if event.HasField("node_status"):
                st = event.node_status
                self.statuses.setdefault(st.node_id, []).append(st.status)
                self.final[st.node_id] = st
                self.at[(st.node_id, st.status)] = i
            elif event.HasField("node_output"):
                self.outputs[event.node_output.node_id] += 1
                self.output[event.node_output.node_id] = event.node_output.output
        assert self.events[-1].HasField("run_completed"), "the run did not complete"
        self.completed = self.events[-1].run_completed

    def status(self, node_id: str) -> int:
        return self.final[node_id].status

    def reason(self, node_id: str) -> int:
        return self.final[node_id].reason

    def ran(self, node_id: str) -> int:
        """How many times the node started running."""
        return self.statuses.get(node_id, []).count(events_pb2.NODE_STATUS_RUNNING)

    def value(self, node_id: str, name: str = "value") -> Any:
        return json_format.MessageToDict(self.output[node_id].values[name])

    def results(self) -> dict[str, Any]:
        return {k: json_format.MessageToDict(v) for k, v in self.completed.results.items()}
