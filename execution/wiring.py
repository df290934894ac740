"""Wiring: each node's settings, model, ports and join policy, and how its incoming edges meet them.

Runs after validation and planning (execution.graph), before any event, against the engine's
registry. Each node's settings are parsed once here into its type's record (the scheduler
runs the node with it) and its provider/model resolved (execution.model_resolution, with the
task table); its ports and join policy come from its spec (execution.nodes.ports). Each
incoming edge becomes an InputEdge: which named output of its source it carries (if any),
which named input of its target it fills (if any), whether it is a branch route.

An edge that carries a named output but names no input fills the input of the same name, or
the target's only named input when it has one.

Every culprit is named, and the request is refused (INVALID_ARGUMENT) before the run:
- a setting of a node that will run which does not fit its type's record — a wrong type, an
  option the setting does not offer, a number out of range — or a model or execution mode that
  does not resolve: `nodes[2].data.width: node 'gen' (imageGenerator): 'width' must be a number,
  not 'wide'`. Keys the record does not declare are ignored (the editor keeps layout in `data`);
- a node whose ports depend on its settings, with settings that do not parse, even when it does
  not run (its edges cannot be wired): `nodes[2].data.cases: …`;
- a handle that names no port of a node with named ports: `edges[3].source_handle: edge 'e3'
  source handle 'maybe' is not an output of node 'check' (case); its outputs: yes, no, default`.
A node that will not run (partial re-execution feeds it from a cached output) is not refused for
settings that only it would read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from execution.errors import GraphValidationError, InvalidSettings, NodeError, Violation
from execution.graph.edges import is_adapter_edge
from execution.graph.model import Edge, FlowRequest
from execution.graph.validate import Graph
from execution.ids import NodeId
from execution.model_resolution import ResolvedModel, resolve_node_model
from execution.model_tasks.table import ModelTasks, default_model_tasks
from execution.nodes.ports import JoinPolicy, NodePorts, PortKind, PortSet
from execution.nodes.registry import NodeRegistry
from execution.nodes.setting_types import NodeSettings
from execution.nodes.spec import NodeSpec
from execution.quoting import quote, shorten

_NO_PORTS = NodePorts(PortSet(), PortSet())
# The settings model resolution reads (execution.model_resolution): a node without any of them
# gets its type's model for the request, resolved once per type.
_MODEL_KEYS = frozenset({"providerId", "provider_id", "model", "executionMode"})


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
    # The node's parsed settings: None only for a node that does not run (or has no spec).
    settings: NodeSettings | None
    # The provider and model the node uses: None only for a node that does not run (or has no spec).
    model: ResolvedModel | None
    inputs: PortSet
    join: JoinPolicy
    # Every incoming edge, resolved; empty for a *plain* node (neither `named` nor `gated`: each
    # edge carries its source's whole output, so the graph's upstream nodes say all there is).
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


def wire(graph: Graph, registry: NodeRegistry, request: FlowRequest, *, planned: Collection[NodeId] | None = None,
         tasks: ModelTasks | None = None) -> GraphWiring:
    """Every node's wiring; GraphValidationError naming each bad setting, bad handle or unwirable
    node. `planned`: the nodes that will run (default: every node); `tasks`: what `task:NAME`
    models resolve against (default: the shipped table).

    One pass in topological order: a node's upstream nodes have their ports when its edges are
    resolved."""
    runs = (lambda _node_id: True) if planned is None else planned.__contains__
    tasks = tasks or default_model_tasks()
    provider, mode = request.provider_id, request.options.execution_mode
    violations: list[Violation] = []
    ports: dict[NodeId, NodePorts] = {}
    static: dict[int, NodePorts] = {}  # ports of types whose ports do not depend on settings
    unset_models: dict[int, ResolvedModel] = {}  # the model of a type's nodes that choose none
    wiring: dict[NodeId, NodeWiring] = {}
    early: list[NodeId] = []
    results: list[NodeId] = []
    settled = JoinPolicy.SETTLED
    nodes, in_edges = graph.nodes, graph.in_edges
    for node_id in graph.order:
        node = nodes[node_id]
        spec = registry.get(node.type)
        settings: NodeSettings | None = None
        model: ResolvedModel | None = None
        join = settled
        if spec is None:
            node_ports = _NO_PORTS
        else:
            error: NodeError | None = None
            try:
                settings = spec.parse_settings(node.data)
                if runs(node_id):
                    if _MODEL_KEYS.isdisjoint(node.data):  # most nodes: the type's model for this request
                        model = unset_models.get(id(spec))
                        if model is None:
                            model = unset_models[id(spec)] = resolve_node_model(
                                spec.default_model, {}, provider, tasks=tasks, request_mode=mode)
                    else:
                        model = resolve_node_model(spec.default_model, node.data, provider, tasks=tasks,
                                                   request_mode=mode)
            except NodeError as err:  # InvalidSettings (neither call raises anything else)
                error = err
            if error is not None and (runs(node_id) or spec.ports is not None):
                violations.append(_settings_violation(request, graph, node_id, error))
                settings = None
            if spec.ports is None:
                fixed = static.get(id(spec))
                if fixed is None:
                    fixed = static[id(spec)] = NodePorts(PortSet(spec.inputs), PortSet(spec.outputs))
                node_ports = fixed
            elif settings is not None:
                node_ports = spec.node_ports(settings)
            else:
                node_ports = NodePorts(PortSet(open=True), PortSet(open=True))
            if settings is not None and spec.join is not settled:
                join = spec.join_policy(settings)
            if spec.results:
                results.append(node_id)
            if join.fires_early:
                early.append(node_id)
        ports[node_id] = node_ports
        inputs = node_ports.inputs
        into = in_edges[node_id]
        if not inputs.named and join is settled and not any(ports[e.source].outputs.named for _, e in into):
            # The editor's node types on both ends of every edge: each carries its source's whole
            # output, nothing to resolve; the scheduler reads the graph's upstream nodes instead.
            wiring[node_id] = NodeWiring(spec, settings, model, inputs, join, (), False, False)
            continue
        edges = tuple(_input_edge(i, edge, graph, ports, violations) for i, edge in into)
        named, gated = inputs.named, join is not settled
        for input_edge in edges:
            if input_edge.source_port is not None:
                named = True
                gated = gated or input_edge.branch
        wiring[node_id] = NodeWiring(spec, settings, model, inputs, join, edges, named, gated)
    if violations:
        raise GraphValidationError(sorted(violations, key=_request_order))
    return GraphWiring(wiring, frozenset(early), tuple(results))


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


def _settings_violation(request: FlowRequest, graph: Graph, node_id: NodeId, error: NodeError) -> Violation:
    """`nodes[i].data.<setting>: node 'x' (type): <why>` — the setting as the editor spells it."""
    field = error.field if isinstance(error, InvalidSettings) else ""
    return Violation(f"nodes[{_node_index(request, node_id)}].data{'.' + field if field else ''}",
                     f"node {_node(graph, node_id)}: {error.message}")


def _request_order(violation: Violation) -> tuple[int, int]:
    """Nodes before edges, each in request order (the pass above goes in topological order)."""
    kind, _, rest = violation.field.partition("[")
    return (0 if kind == "nodes" else 1, int(rest.partition("]")[0]))


def _node(graph: Graph, node_id: NodeId) -> str:
    return f"{quote(node_id)} ({shorten(graph.nodes[node_id].type)})"


def _node_index(request: FlowRequest, node_id: NodeId) -> int:
    """Where the node is in the request (its first occurrence); looked up for a violation only."""
    return next(i for i, node in enumerate(request.nodes) if node.id == node_id)
