"""Validation: turn a FlowRequest into a normalized Graph, or name every culprit.

Runs before any event is sent. All problems are collected (not only the first) so a
client can fix the graph in one go. Decisions:
- `group` nodes are layout-only: dropped, and so are edges touching them.
- A repeated node id whose type and settings equal the first occurrence is dropped (the
  editor can export such copies, and its in-browser runner de-duplicates them); a repeated id with different
  type or settings is ambiguous and rejected.
- An edge repeated with the same source, target and handles is dropped (it would feed
  the same input twice); a repeated edge id on a different edge is rejected.
- `cached_outputs` entries for unknown nodes are ignored.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass

from execution.errors import GraphValidationError, Violation
from execution.graph.edges import is_adapter_edge
from execution.graph.model import GROUP_NODE_TYPE, Edge, FlowRequest, Node
from execution.ids import EdgeId, NodeId
from execution.quoting import quote, shorten
from execution.run_limits import Limits

# Settings larger than this (bytes) are parsed each run, never kept (Graph.plain_settings).
PLAIN_SETTINGS_MAX_BYTES = 2048


@dataclass(frozen=True, slots=True)
class Graph:
    """A valid graph: nodes in request order, inputs in edge order, a topological order."""

    nodes: dict[NodeId, Node]
    text_inputs: dict[NodeId, tuple[NodeId, ...]]
    adapter_inputs: dict[NodeId, tuple[NodeId, ...]]
    downstream: dict[NodeId, tuple[NodeId, ...]]
    upstream: dict[NodeId, tuple[NodeId, ...]]
    order: tuple[NodeId, ...]
    # Each node's incoming edges with their index in the request, in edge order.
    in_edges: dict[NodeId, tuple[tuple[int, Edge], ...]]
    # Nodes whose settings are plain JSON of at most PLAIN_SETTINGS_MAX_BYTES, not empty: their
    # parsed records may be kept across runs (execution.nodes.parsed_settings).
    plain_settings: frozenset[NodeId] = frozenset()


def validate(request: FlowRequest, limits: Limits) -> Graph:
    violations: list[Violation] = []
    if len(request.nodes) > limits.max_nodes:
        violations.append(Violation("nodes", f"{len(request.nodes)} nodes exceed the limit of {limits.max_nodes}"))
    if len(request.edges) > limits.max_edges:
        violations.append(Violation("edges", f"{len(request.edges)} edges exceed the limit of {limits.max_edges}"))
    if violations:
        raise GraphValidationError(violations)

    nodes, groups, plain = _check_nodes(request.nodes, limits, violations)
    edges = _check_edges(request.edges, nodes, groups, violations)
    trigger = request.trigger_node_id
    if trigger is not None and trigger not in nodes:
        violations.append(Violation("trigger_node_id", f"trigger node {quote(trigger)} is not a node of the flow"))
    if request.options.max_execution_ms < 0:
        violations.append(Violation("options.max_execution_ms",
                                    f"must not be negative (got {request.options.max_execution_ms})"))
    # The valid edges are checked for a cycle even when other edges were rejected: one error names every problem.
    graph = _build(nodes, edges, violations, plain)
    if violations:
        raise GraphValidationError(violations)
    return graph


def _check_nodes(
    raw: tuple[Node, ...], limits: Limits, violations: list[Violation]
) -> tuple[dict[NodeId, Node], set[NodeId], frozenset[NodeId]]:
    nodes: dict[NodeId, Node] = {}
    first_index: dict[NodeId, int] = {}
    groups: set[NodeId] = set()
    plain: list[NodeId] = []
    for i, node in enumerate(raw):
        if not node.id:
            violations.append(Violation(f"nodes[{i}].id", "node id is empty"))
            continue
        size, is_plain = node.settings_size()
        if size > limits.max_node_data_bytes:
            violations.append(
                Violation(
                    f"nodes[{i}].data",
                    f"settings of node {quote(node.id)} are {size} bytes, over the limit of {limits.max_node_data_bytes}",
                )
            )
        if node.id in first_index:
            first = raw[first_index[node.id]]
            if first.type != node.type or first.data != node.data:
                violations.append(
                    Violation(
                        f"nodes[{i}].id",
                        f"node id {quote(node.id)} is used again by a different node (first at nodes[{first_index[node.id]}])",
                    )
                )
            continue
        first_index[node.id] = i
        if node.type == GROUP_NODE_TYPE:
            groups.add(node.id)
        else:
            nodes[node.id] = node
            if is_plain and node.data and size <= PLAIN_SETTINGS_MAX_BYTES:
                plain.append(node.id)
    return nodes, groups, frozenset(plain)


def _check_edges(
    raw: tuple[Edge, ...], nodes: dict[NodeId, Node], groups: set[NodeId], violations: list[Violation]
) -> list[tuple[int, Edge]]:
    edges: list[tuple[int, Edge]] = []
    by_id: dict[EdgeId, Edge] = {}
    seen: set[tuple[NodeId, NodeId, str, str]] = set()
    for i, edge in enumerate(raw):
        if not edge.id:
            ends = f"{shorten(edge.source)} → {shorten(edge.target)}"
            violations.append(Violation(f"edges[{i}].id", f"edge id is empty (edge {ends})"))
            continue
        if edge.id in by_id and by_id[edge.id] != edge:
            violations.append(Violation(f"edges[{i}].id", f"edge id {quote(edge.id)} is used again by a different edge"))
            continue
        by_id[edge.id] = edge
        if edge.source in groups or edge.target in groups:
            continue
        bad = False
        for end, node_id in (("source", edge.source), ("target", edge.target)):
            if node_id not in nodes:
                what = "is empty" if not node_id else f"{quote(node_id)} is not a node of the flow"
                violations.append(Violation(f"edges[{i}].{end}", f"edge {quote(edge.id)} {end} {what}"))
                bad = True
        key = (edge.source, edge.target, edge.source_handle, edge.target_handle)
        if not bad and key not in seen:
            seen.add(key)
            edges.append((i, edge))
    return edges


def _build(nodes: dict[NodeId, Node], edges: list[tuple[int, Edge]], violations: list[Violation],
           plain: frozenset[NodeId] = frozenset()) -> Graph:
    text: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    adapters: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    down: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    up: dict[NodeId, list[NodeId]] = {n: [] for n in nodes}
    into: dict[NodeId, list[tuple[int, Edge]]] = {n: [] for n in nodes}
    for indexed in edges:
        edge = indexed[1]
        into[edge.target].append(indexed)
        (adapters if is_adapter_edge(edge) else text)[edge.target].append(edge.source)
        if edge.source not in up[edge.target]:
            up[edge.target].append(edge.source)
            down[edge.source].append(edge.target)
    order = _topological_order(nodes, up)
    if order is None:
        violations.append(Violation("edges", f"the graph has a cycle: {_describe_cycle(_find_cycle(nodes, up))}"))
        order = ()
    return Graph(
        nodes=nodes,
        text_inputs={n: tuple(v) for n, v in text.items()},
        adapter_inputs={n: tuple(v) for n, v in adapters.items()},
        downstream={n: tuple(v) for n, v in down.items()},
        upstream={n: tuple(v) for n, v in up.items()},
        order=order,
        in_edges={n: tuple(v) for n, v in into.items()},
        plain_settings=plain,
    )


def _topological_order(nodes: dict[NodeId, Node], up: dict[NodeId, list[NodeId]]) -> tuple[NodeId, ...] | None:
    """The order graphlib.TopologicalSorter.static_order gives when each node is added with its
    upstream nodes in request order (wave by wave: the nodes ready together, in the order they
    became ready); None when the graph has a cycle. graphlib itself also searches for a cycle
    before it sorts, which costs more than the sort: it is asked only once a cycle is known."""
    waiting: dict[NodeId, int] = {}
    successors: dict[NodeId, list[NodeId]] = {}
    for node_id in nodes:  # graphlib's node order: a node, then its upstream nodes not seen yet
        preds = up[node_id]
        if node_id not in waiting:
            waiting[node_id] = 0
            successors[node_id] = []
        waiting[node_id] += len(preds)
        for pred in preds:
            if pred not in waiting:
                waiting[pred] = 0
                successors[pred] = []
            successors[pred].append(node_id)
    ready = [n for n, count in waiting.items() if not count]
    order: list[NodeId] = []
    while ready:
        order.extend(ready)
        wave, ready = ready, []
        for node_id in wave:
            for successor in successors[node_id]:
                waiting[successor] -= 1
                if not waiting[successor]:
                    ready.append(successor)
    return tuple(order) if len(order) == len(waiting) else None


def _find_cycle(nodes: dict[NodeId, Node], up: dict[NodeId, list[NodeId]]) -> list[NodeId]:
    sorter: graphlib.TopologicalSorter[NodeId] = graphlib.TopologicalSorter()
    for node_id in nodes:
        sorter.add(node_id, *up[node_id])
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        cycle: list[NodeId] = err.args[1]
        return cycle
    raise AssertionError("no cycle found in a graph that cannot be sorted")


# Nodes of a cycle named in its message; a longer cycle shows its start and its length.
MAX_CYCLE_NODES_NAMED = 12


def _describe_cycle(cycle: list[NodeId]) -> str:
    """`a → b → c → a`; past MAX_CYCLE_NODES_NAMED nodes, the first ones, `…` and the count."""
    if len(cycle) <= MAX_CYCLE_NODES_NAMED:
        return " → ".join(shorten(n) for n in cycle)
    named = " → ".join(shorten(n) for n in cycle[:MAX_CYCLE_NODES_NAMED])
    return f"{named} → … ({len(cycle) - 1} nodes in the cycle)"
