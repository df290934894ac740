"""Wiring: each node's settings, ports and join policy, and how its incoming edges meet them.

Runs after validation (execution.graph.validate), before any event, against the engine's
registry. Each node's settings are parsed once here into its type's record (the scheduler
runs the node with it); its ports and join policy come from its spec (execution.nodes.ports).
Each incoming edge becomes an InputEdge: which named output of its source it carries (if any),
which named input of its target it fills (if any), whether it is a branch route.

An edge that carries a named output but names no input fills the input of the same name, or
the target's only named input when it has one.

Handles are checked where a node has named ports, and every culprit is named:
`edges[3].source_handle: edge 'e3' source handle 'maybe' is not an output of node 'check'
(case); its outputs: yes, no, default`. A node type whose ports depend on its settings cannot
be wired with settings that do not parse, so those are violations too (`nodes[2].data.cases:
…`); any other node type keeps the editor's contract: bad settings fail that node when it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from execution.errors import GraphValidationError, InvalidSettings, NodeError, Violation
from execution.graph.edges import ADAPTER_HANDLE_PREFIX, is_adapter_edge
from execution.graph.model import Edge, FlowRequest
from execution.graph.validate import Graph
from execution.ids import NodeId
from execution.nodes.ports import JoinPolicy, NodePorts, PortKind, PortSet
from execution.nodes.registry import NodeRegistry
from execution.nodes.setting_types import NodeSettings
from execution.nodes.spec import NodeSpec
from execution.quoting import quote, shorten

_NO_PORTS = NodePorts(PortSet(), PortSet())


class InputEdge(NamedTuple):
    source: NodeId
    # The source's named output the edge carries; None: the source's whole output.
    source_port: str | None
    # The target's named input the edge fills; None: the values it carries fill the inputs of
    # the same names (or, for a node without named inputs, it is a text edge).
    target_port: str | None
    # `source_port` is a route of a routing node: not taken when the source's output lacks it.
    branch: bool
    adapter: bool


class NodeWiring(NamedTuple):
    """(A named tuple: one is built per node before every run, and tuples build fastest.)"""

    spec: NodeSpec[Any] | None
    settings: NodeSettings | None
    # Why the settings did not parse (the node fails with it when it would run).
    settings_error: NodeError | None
    inputs: PortSet
    join: JoinPolicy
    edges: tuple[InputEdge, ...]
    # The node's inputs take the named path (values, outputs picked by handle); else the editor's.
    named: bool
    # Some input is a branch route, or the join policy is not SETTLED: the scheduler gates it.
    gated: bool


@dataclass(frozen=True, slots=True)
class GraphWiring:
    nodes: dict[NodeId, NodeWiring]
    # Nodes whose join fires before every input has settled (ANY, FIRST_NON_NULL).
    early: frozenset[NodeId]
    # Nodes whose values are the run's results (`end`), in topological order.
    results: tuple[NodeId, ...]


def wire(graph: Graph, registry: NodeRegistry, request: FlowRequest) -> GraphWiring:
    """Every node's wiring; GraphValidationError naming each bad handle or unwirable node."""
    violations: list[Violation] = []
    parsed: dict[NodeId, tuple[NodeSpec[Any] | None, NodeSettings | None, NodeError | None]] = {}
    ports: dict[NodeId, NodePorts] = {}
    static: dict[int, NodePorts] = {}  # ports of types whose ports do not depend on settings
    for node_id, node in graph.nodes.items():
        spec = registry.get(node.type)
        if spec is None:
            ports[node_id] = _NO_PORTS
            parsed[node_id] = (None, None, None)
            continue
        try:
            settings: NodeSettings | None = spec.parse_settings(node.data)
            error = None
        except NodeError as err:  # InvalidSettings (parse_settings raises nothing else)
            settings, error = None, err
        parsed[node_id] = (spec, settings, error)
        if spec.ports is None:
            node_ports = static.get(id(spec))
            if node_ports is None:
                node_ports = static[id(spec)] = NodePorts(PortSet(spec.inputs), PortSet(spec.outputs))
            ports[node_id] = node_ports
        elif settings is not None:
            ports[node_id] = spec.node_ports(settings)
        else:
            assert error is not None
            field = error.field if isinstance(error, InvalidSettings) else ""
            index = _node_index(request, node_id)
            violations.append(Violation(f"nodes[{index}].data{'.' + field if field else ''}",
                                        f"node {_node(graph, node_id)}: {error.message}"))
            ports[node_id] = NodePorts(PortSet(open=True), PortSet(open=True))

    wiring: dict[NodeId, NodeWiring] = {}
    early: set[NodeId] = set()
    results: set[NodeId] = set()
    settled = JoinPolicy.SETTLED
    for node_id, (spec, settings, error) in parsed.items():
        inputs = ports[node_id].inputs
        edges: list[InputEdge] = []
        for i, edge in graph.in_edges[node_id]:
            if inputs.named or ports[edge.source].outputs.named:
                edges.append(_input_edge(i, edge, graph, ports, violations))
            else:  # the editor's node types on both ends: nothing to resolve
                edges.append(InputEdge(edge.source, None, None, False, edge.target_handle.startswith(ADAPTER_HANDLE_PREFIX)))
        join = settled if spec is None or settings is None or spec.join is settled else spec.join_policy(settings)
        named, gated = inputs.named, join is not settled
        for input_edge in edges:
            if input_edge.source_port is not None:
                named = True
                gated = gated or input_edge.branch
        wiring[node_id] = NodeWiring(spec, settings, error, inputs, join, tuple(edges), named, gated)
        if join.fires_early:
            early.add(node_id)
        if spec is not None and spec.results:
            results.add(node_id)
    if violations:
        raise GraphValidationError(violations)
    return GraphWiring(wiring, frozenset(early), tuple(n for n in graph.order if n in results))


def _input_edge(i: int, edge: Edge, graph: Graph, ports: Mapping[NodeId, NodePorts],
                violations: list[Violation]) -> InputEdge:
    outputs, inputs = ports[edge.source].outputs, ports[edge.target].inputs
    source_port: str | None = None
    branch = False
    if outputs.named and edge.source_handle:
        port = outputs.get(edge.source_handle)
        if port is None and not outputs.open:
            violations.append(Violation(
                f"edges[{i}].source_handle",
                f"edge {quote(edge.id)} source handle {quote(edge.source_handle)} is not an output of node "
                f"{_node(graph, edge.source)}; its outputs: {outputs.names()}"))
        elif port is None or port.kind is PortKind.VALUE:
            source_port, branch = edge.source_handle, port is not None and port.branch
    adapter = is_adapter_edge(edge)
    target_port: str | None = None
    if not adapter and inputs.named:
        if edge.target_handle:
            port = inputs.get(edge.target_handle)
            if port is None and not inputs.open:
                violations.append(Violation(
                    f"edges[{i}].target_handle",
                    f"edge {quote(edge.id)} target handle {quote(edge.target_handle)} is not an input of node "
                    f"{_node(graph, edge.target)}; its inputs: {inputs.names()}"))
            elif port is None or port.kind is PortKind.VALUE:
                target_port = edge.target_handle
        elif source_port is not None and not inputs.accepts(source_port):
            single = [p for p in inputs.ports if p.kind is PortKind.VALUE]
            if len(single) == 1:  # the target's one named input
                return InputEdge(edge.source, source_port, single[0].handle, branch, adapter)
            violations.append(Violation(
                f"edges[{i}].target_handle",
                f"edge {quote(edge.id)} carries output {quote(source_port)} of node {quote(edge.source)}, which is not "
                f"an input of node {_node(graph, edge.target)}: name the input in target_handle (its inputs: "
                f"{inputs.names()})"))
    return InputEdge(edge.source, source_port, target_port, branch, adapter)


def _node(graph: Graph, node_id: NodeId) -> str:
    return f"{quote(node_id)} ({shorten(graph.nodes[node_id].type)})"


def _node_index(request: FlowRequest, node_id: NodeId) -> int:
    """Where the node is in the request (its first occurrence); looked up for a violation only."""
    return next(i for i, node in enumerate(request.nodes) if node.id == node_id)
