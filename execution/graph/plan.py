"""Execution plan: which nodes run, and which cached outputs feed them (partial re-execution).

Without a trigger every node runs and `cached_outputs` is ignored. With a trigger, the
plan is the trigger, all its downstream nodes, and those of its ancestors that have no
cached output; every other node with a cached output feeds the run instead of running.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from execution.graph.traversal import reachable
from execution.graph.validate import Graph
from execution.ids import NodeId
from execution.outputs import NodeOutput


@dataclass(frozen=True, slots=True)
class ExecutionPlan:
    graph: Graph
    planned: tuple[NodeId, ...]
    # Planned nodes' upstream nodes that are themselves planned (what they wait for).
    waits_for: dict[NodeId, tuple[NodeId, ...]]
    # Cached outputs (marked cached) of unplanned nodes that are inputs of planned nodes.
    cached: dict[NodeId, NodeOutput]


def make_plan(
    graph: Graph, trigger: NodeId | None, cached_outputs: Mapping[NodeId, NodeOutput]
) -> ExecutionPlan:
    if trigger is None:
        selected = set(graph.order)
    else:
        selected = {trigger, *reachable(trigger, graph.downstream)}
        selected.update(a for a in reachable(trigger, graph.upstream) if a not in cached_outputs)
    planned = tuple(n for n in graph.order if n in selected)
    waits_for = {n: tuple(u for u in graph.upstream[n] if u in selected) for n in planned}
    cached: dict[NodeId, NodeOutput] = {}
    if trigger is not None:
        for n in planned:
            for u in graph.upstream[n]:
                if u not in selected and u in cached_outputs and u not in cached:
                    out = cached_outputs[u]
                    cached[u] = out if out.cached else replace(out, cached=True)
    return ExecutionPlan(graph=graph, planned=planned, waits_for=waits_for, cached=cached)

