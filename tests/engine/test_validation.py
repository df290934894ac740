"""Validation names every culprit before anything runs."""

from __future__ import annotations

import pytest

from execution.errors import GraphValidationError
from execution.graph.validate import validate
from execution.run_limits import Limits
from tests.builders import edge, flow, node

DEFAULT_LIMITS = Limits()


def violations(request, limits: Limits = DEFAULT_LIMITS) -> list[tuple[str, str]]:
    with pytest.raises(GraphValidationError) as info:
        validate(request, limits)
    return [(v.field, v.description) for v in info.value.violations]


def test_edge_to_unknown_node_names_edge_and_node() -> None:
    found = violations(flow([node("a", "textOutput")], [edge("a", "ghost", edge_id="e1")]))
    assert found == [("edges[0].target", "edge 'e1' target 'ghost' is not a node of the flow")]


def test_empty_ids_are_named_by_position() -> None:
    found = violations(flow([node("a", "textOutput"), node("", "textOutput")], [edge("a", "a", edge_id="")]))
    fields = [f for f, _ in found]
    assert fields == ["nodes[1].id", "edges[0].id"]


def test_unknown_trigger() -> None:
    found = violations(flow([node("a", "textOutput")], [], trigger="zzz"))
    assert found == [("trigger_node_id", "trigger node 'zzz' is not a node of the flow")]


def test_cycle_names_the_nodes_on_it() -> None:
    nodes = [node(n, "textOutput") for n in ("start", "a", "b", "c", "after")]
    edges = [edge("start", "a"), edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "after")]
    [(field, description)] = violations(flow(nodes, edges))
    assert field == "edges"
    cycle = description.removeprefix("the graph has a cycle: ").split(" → ")
    assert set(cycle) == {"a", "b", "c"} and cycle[0] == cycle[-1]
    assert "start" not in cycle and "after" not in cycle


def test_self_loop_is_a_cycle() -> None:
    [(_, description)] = violations(flow([node("a", "textOutput")], [edge("a", "a")]))
    assert description == "the graph has a cycle: a → a"


def test_size_limits() -> None:
    limits = Limits(max_nodes=2, max_edges=1, max_node_data_bytes=100)
    too_many = flow([node(str(i), "x") for i in range(3)], [edge("0", "1"), edge("1", "2")])
    assert [f for f, _ in violations(too_many, limits)] == ["nodes", "edges"]
    big = flow([node("a", "x", blob="y" * 200)], [])
    [(field, description)] = violations(big, limits)
    assert field == "nodes[0].data" and "'a'" in description and "limit of 100" in description


def test_all_problems_reported_together() -> None:
    found = violations(flow([node("a", "x"), node("", "x")], [edge("a", "b"), edge("q", "a")], trigger="nope"))
    assert len(found) == 4


def test_a_cycle_is_reported_beside_a_dangling_edge() -> None:
    nodes = [node("a", "x"), node("b", "x")]
    found = violations(flow(nodes, [edge("a", "b"), edge("b", "a"), edge("a", "ghost", edge_id="e3")]))
    assert [f for f, _ in found] == ["edges[2].target", "edges"]
    assert found[1][1].startswith("the graph has a cycle: ")


def test_identical_duplicate_nodes_are_merged_conflicting_ones_rejected() -> None:
    same = flow([node("a", "textOutput", k=1), node("a", "textOutput", k=1)], [])
    assert list(validate(same, Limits()).nodes) == ["a"]
    [(field, description)] = violations(flow([node("a", "textOutput", k=1), node("a", "textOutput", k=2)], []))
    assert field == "nodes[1].id" and "first at nodes[0]" in description


def test_duplicate_edges_feed_once_conflicting_edge_ids_rejected() -> None:
    nodes = [node("a", "x"), node("b", "x"), node("c", "x")]
    graph = validate(flow(nodes, [edge("a", "b", edge_id="e"), edge("a", "b", edge_id="e")]), Limits())
    assert graph.text_inputs["b"] == ("a",)
    [(field, _)] = violations(flow(nodes, [edge("a", "b", edge_id="e"), edge("a", "c", edge_id="e")]))
    assert field == "edges[1].id"


def test_group_nodes_and_their_edges_are_ignored() -> None:
    graph = validate(flow([node("g", "group"), node("a", "textOutput")], [edge("g", "a")]), Limits())
    assert list(graph.nodes) == ["a"] and graph.upstream["a"] == ()


def test_edge_classes_and_input_order() -> None:
    nodes = [node(n, "x") for n in ("c1", "t1", "t2", "c2", "target")]
    edges = [edge("t2", "target"), edge("c1", "target", "adapter-persona"), edge("t1", "target"),
             edge("c2", "target", "adapter-2")]
    graph = validate(flow(nodes, edges), Limits())
    assert graph.text_inputs["target"] == ("t2", "t1")
    assert graph.adapter_inputs["target"] == ("c1", "c2")
    assert graph.order[-1] == "target"


def test_topological_order_is_graphlibs() -> None:
    """validate sorts without graphlib (which searches for a cycle first): same order, wave by
    wave, on random graphs; and graphlib is asked for the cycle only once there is one."""
    import graphlib
    import random

    chooser = random.Random(13)
    for _ in range(400):
        ids = [f"n{i}" for i in range(chooser.randint(1, 9))]
        chooser.shuffle(ids)
        links = {(chooser.choice(ids), chooser.choice(ids)) for _ in range(chooser.randint(0, 14))}
        links = {(a, b) for a, b in links if a != b}
        request = flow([node(n, "x") for n in ids], [edge(a, b, edge_id=f"{a}-{b}") for a, b in sorted(links)])
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for n in ids:
            sorter.add(n, *[a for a, b in sorted(links) if b == n])
        try:
            expected = tuple(sorter.static_order())
        except graphlib.CycleError:
            [(field, description)] = violations(request)
            assert field == "edges" and description.startswith("the graph has a cycle: ")
            continue
        assert validate(request, DEFAULT_LIMITS).order == expected


def test_settings_sizes_count_utf8_json_and_mark_plain_settings() -> None:
    plain = node("a", "x", cases=[{"output": "left", "value": 1.5}], flag=True)
    odd = node("b", "x", when=object())  # not JSON: counted as its str(), never kept parsed
    empty = node("c", "x")
    graph = validate(flow([plain, odd, empty], []), DEFAULT_LIMITS)
    assert graph.plain_settings == {"a"}
    assert plain.settings_size() == (len('{"cases":[{"output":"left","value":1.5}],"flag":true}'), True)
    assert odd.settings_size()[1] is False
    assert node("d", "x", text="é\n").settings_size() == (len('{"text":"é\\n"}'.encode()), True)
