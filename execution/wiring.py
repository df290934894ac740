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

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from execution.errors import GraphValidationError, InvalidSettings, NodeError, Violation
from execution.graph.edges import ADAPTER_HANDLE_PREFIX
from execution.graph.model import Edge, FlowRequest
from execution.graph.validate import Graph
from execution.ids import NodeId
from execution.model_resolution import MODEL_SETTINGS, ResolvedModel, resolve_node_model
from execution.model_tasks.table import ModelTasks, default_model_tasks
from execution.nodes.parsed_settings import Parsed, ParsedSettings
from execution.nodes.ports import JoinPolicy, NodePorts, PortKind, PortSet
from execution.nodes.registry import NodeRegistry
from execution.nodes.setting_types import NodeSettings
from execution.nodes.spec import NodeSpec
from execution.quoting import quote, shorten

_NO_PORTS = NodePorts(PortSet(), PortSet())
_VALUE = PortKind.VALUE


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


def wire(graph: Graph, registry: NodeRegistry, request: FlowRequest, parsed: ParsedSettings | None = None, *,
         planned: Collection[NodeId] | None = None, tasks: ModelTasks | None = None) -> GraphWiring:
    """Every node's wiring; GraphValidationError naming each bad setting, bad handle or unwirable
    node. `planned`: the nodes that will run (default: every node); `tasks`: what `task:NAME`
    models resolve against (default: the shipped table); `parsed`: the records parsed by earlier
    runs (small plain-JSON settings are looked up there).

    One pass in topological order: a node's upstream nodes have their ports when its edges are
    resolved. (It runs before every run, for every node: the loop is kept tight.)"""
    runs = (lambda _node_id: True) if planned is None else planned.__contains__
    tasks = tasks or default_model_tasks()
    provider, mode = request.provider_id, request.options.execution_mode
    violations: list[Violation] = []
    outputs: dict[NodeId, PortSet] = {}
    unset_models: dict[int, ResolvedModel] = {}  # the model of a type's nodes that choose none
    wiring: dict[NodeId, NodeWiring] = {}
    early: list[NodeId] = []
    results: list[NodeId] = []
    settled, any_, first = JoinPolicy.SETTLED, JoinPolicy.ANY, JoinPolicy.FIRST_NON_NULL
    nodes, in_edges, spec_of = graph.nodes, graph.in_edges, registry.get
    keep = graph.plain_settings if parsed is not None else frozenset()
    for node_id in graph.order:
        node = nodes[node_id]
        spec = spec_of(node.type)
        settings: NodeSettings | None = None
        model: ResolvedModel | None = None
        join = settled
        if spec is None:
            node_ports = _NO_PORTS
        else:
            error: NodeError | None = None
            found: Parsed | None = None
            try:
                if node_id in keep:  # parsed by an earlier run, with its ports and join policy
                    assert parsed is not None
                    found = parsed.parse(spec, node.data)
                    settings = found.settings
                else:
                    settings = spec.parse_settings(node.data)
                if runs(node_id):
                    if MODEL_SETTINGS.isdisjoint(node.data):  # most nodes: the type's model, resolved once per type
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
                settings, found = None, None
            if found is not None:
                node_ports, join = found.ports, found.join
            elif settings is not None or spec.ports is None:  # (fixed ports need no settings)
                node_ports = spec.node_ports(settings)
                if settings is not None and spec.join is not settled:
                    join = spec.join_policy(settings)
            else:
                node_ports = NodePorts(PortSet(open=True), PortSet(open=True))
            if join is any_ or join is first:
                early.append(node_id)
            if spec.results:
                results.append(node_id)
        outputs[node_id] = node_ports.outputs
        inputs = node_ports.inputs
        into = in_edges[node_id]
        if not inputs.named and join is settled:
            for _, edge in into:
                if outputs[edge.source].named:
                    break
            else:
                # The editor's node types on both ends of every edge: each carries its source's
                # whole output, nothing to resolve; the scheduler reads the graph's upstream nodes.
                wiring[node_id] = NodeWiring(spec, settings, model, inputs, join, (), False, False)
                continue
        edges = tuple([_input_edge(i, edge, graph, outputs[edge.source], inputs, violations) for i, edge in into])
        named, gated = inputs.named, join is not settled
        for input_edge in edges:
            if input_edge.source_port is not None:
                named = True
                if input_edge.branch:
                    gated = True
        wiring[node_id] = NodeWiring(spec, settings, model, inputs, join, edges, named, gated)
    if violations:
        raise GraphValidationError(sorted(violations, key=_request_order))
    return GraphWiring(wiring, frozenset(early), tuple(results))


def _input_edge(i: int, edge: Edge, graph: Graph, outputs: PortSet, inputs: PortSet,
                violations: list[Violation]) -> InputEdge:
    source_port: str | None = None
    branch = False
    handle = edge.source_handle
    if handle and outputs.named:
        port = outputs.get(handle)
        if port is None:
            if outputs.open:
                source_port = handle
            else:
                violations.append(Violation(
                    f"edges[{i}].source_handle",
                    f"edge {quote(edge.id)} source handle {quote(handle)} is not an output of node "
                    f"{_node(graph, edge.source)}; its outputs: {outputs.names()}"))
        elif port.kind is _VALUE:
            source_port, branch = handle, port.branch
    handle = edge.target_handle
    adapter = handle.startswith(ADAPTER_HANDLE_PREFIX)  # execution.graph.edges.is_adapter_edge
    target_port: str | None = None
    if not adapter and inputs.named:
        if handle:
            port = inputs.get(handle)
            if port is None and not inputs.open:
                violations.append(Violation(
                    f"edges[{i}].target_handle",
                    f"edge {quote(edge.id)} target handle {quote(handle)} is not an input of node "
                    f"{_node(graph, edge.target)}; its inputs: {inputs.names()}"))
            elif port is None or port.kind is _VALUE:
                target_port = handle
        elif source_port is not None and not inputs.accepts(source_port):
            if inputs.only is not None:  # the target's one named input
                return InputEdge(edge.source, source_port, inputs.only, branch, adapter)
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
