"""Topological order, traversal and partial re-execution planning (seed §1–§2)."""

from __future__ import annotations

from execution.graph.plan import make_plan
from execution.graph.traversal import reachable
from execution.graph.validate import validate
from execution.outputs import NodeOutput
from execution.run_limits import Limits
from tests.builders import edge, flow, node

# a → b → d → e,  c → d,  x (isolated),  b → f
NODES = [node(n, "textOutput") for n in ("a", "b", "c", "d", "e", "f", "x")]
EDGES = [edge("a", "b"), edge("b", "d"), edge("c", "d"), edge("d", "e"), edge("b", "f")]


def graph():
    return validate(flow(NODES, EDGES), Limits())


def test_kahn_order_respects_every_edge() -> None:
    order = graph().order
    assert sorted(order) == sorted(n.id for n in NODES)
    for e in EDGES:
        assert order.index(e.source) < order.index(e.target)


def test_traversal() -> None:
    g = graph()
    assert set(reachable("d", g.upstream)) == {"a", "b", "c"}
    assert set(reachable("b", g.downstream)) == {"d", "e", "f"}
    assert reachable("x", g.downstream) == []


def test_full_run_plans_everything_and_ignores_cache() -> None:
    plan = make_plan(graph(), None, {"a": NodeOutput(text="old")})
    assert set(plan.planned) == {n.id for n in NODES}
    assert plan.cached == {}


def test_partial_run_trigger_downstream_and_uncached_ancestors() -> None:
    cached = {"a": NodeOutput(text="A"), "c": NodeOutput(text="C"), "x": NodeOutput(text="X")}
    plan = make_plan(graph(), "d", cached)
    # b is an ancestor without a cached output → runs; a and c are cached → feed.
    assert set(plan.planned) == {"b", "d", "e"}
    assert set(plan.cached) == {"a", "c"}
    assert all(out.cached for out in plan.cached.values())
    assert plan.waits_for["d"] == ("b",)  # c is cached: d does not wait for it
    assert plan.waits_for["b"] == ()


def test_trigger_runs_even_when_cached_and_downstream_always_reruns() -> None:
    cached = {n: NodeOutput(text=n) for n in ("a", "b", "c", "d", "e", "f")}
    plan = make_plan(graph(), "b", cached)
    assert set(plan.planned) == {"b", "d", "e", "f"}
    assert set(plan.cached) == {"a", "c"}
