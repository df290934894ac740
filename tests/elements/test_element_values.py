"""What each element computes, run in-process on the real engine: case conditions, selector paths,
merge combines, random seeds, context budgets, data blocks."""

from __future__ import annotations

from typing import Any

import pytest

from execution.engine import Engine
from execution.errors import GraphValidationError
from execution.events import NodeOutputProduced, NodeStatus, NodeStatusChanged, RunCompleted
from execution.graph.model import Node
from execution.ids import NodeId
from execution.nodes.builtin import builtin_registry
from execution.nodes.flow_control.conditions import Condition
from execution.nodes.setting_types import parse_settings
from execution.providers.settings import ProviderSettings
from execution.services import Services
from tests.elements.links import domain_request, link


def node(node_id: str, node_type: str, **data: Any) -> Node:
    return Node(NodeId(node_id), node_type, data)


async def outputs(nodes: list[Node], edges: list[Any], inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """node id → its output values, or its failure message."""
    events = await Engine(builtin_registry()).run(domain_request(nodes, edges, inputs))
    found: dict[str, Any] = {}
    for event in events:
        body = event.body
        if isinstance(body, NodeOutputProduced):
            found[body.node_id] = dict(body.output.values)
        elif isinstance(body, NodeStatusChanged) and body.status is NodeStatus.ERROR:
            found[body.node_id] = body.message
    assert isinstance(events[-1].body, RunCompleted)
    return found


@pytest.mark.parametrize(("condition", "subject", "holds"), [
    ({"operator": "equals", "value": 3}, 3.0, True),
    ({"operator": "==", "value": 3}, "3", True),
    ({"operator": "equals", "value": "Yes", "ignore_case": True}, "yes", True),
    ({"operator": "equals", "value": True}, 1, False),
    ({"operator": "equals", "value": {"a": [1, 2]}}, {"a": [1.0, 2.0]}, True),
    ({"operator": "not_equals", "value": "a"}, "b", True),
    ({"operator": "contains", "value": "ell"}, "hello", True),
    ({"operator": "contains", "value": 2}, [1, 2, 3], True),
    ({"operator": "contains", "value": "k"}, {"k": None}, True),
    ({"operator": "contains", "value": "x"}, 5, False),
    ({"operator": "regex", "value": r"^\d{3}-\d{4}$"}, "555-1234", True),
    ({"operator": "regex", "value": "(a+)+$"}, "a" * 5000 + "b", False),  # linear time: no catastrophic backtracking
    ({"operator": "matches", "value": "HELLO", "ignore_case": True}, "say hello", True),
    ({"operator": "gt", "value": 10}, 10.5, True),
    ({"operator": ">=", "value": 10}, "10", True),
    ({"operator": "lt", "value": 0}, -1, True),
    ({"operator": "lte", "value": 1}, "one", False),
    ({"operator": "gt", "value": 1, "path": "$.order.total"}, {"order": {"total": 2}}, True),
    ({"operator": "exists", "path": "order.items[0].sku"}, {"order": {"items": [{"sku": "A1"}]}}, True),
    ({"operator": "exists", "path": "order.items[1]"}, {"order": {"items": [{"sku": "A1"}]}}, False),
    ({"operator": "not_exists", "path": "error"}, {"ok": True}, True),
    ({"operator": "exists"}, None, False),
    ({"operator": "equals", "value": 1, "path": "missing"}, {}, False),
])
def test_case_conditions(condition: dict[str, Any], subject: Any, holds: bool) -> None:
    assert parse_settings(Condition, condition).holds(subject) is holds


async def test_case_takes_the_first_branch_that_holds_else_the_default() -> None:
    cases = [{"output": "vip", "operator": "contains", "value": "gold", "path": "tier"},
             {"output": "big", "operator": "gt", "value": 100, "path": "total"}]
    nodes = [node("s", "start"), node("c", "case", input="order", cases=cases)]
    for order, route in [({"tier": "gold", "total": 500}, "vip"), ({"tier": "", "total": 500}, "big"),
                         ({"tier": "tin", "total": 5}, "default")]:
        got = await outputs(nodes, [link("s", "c")], {"order": order})
        assert got["c"] == {route: order}


@pytest.mark.parametrize(("settings", "value", "expected"), [
    ({"path": "$.items[-1].name"}, {"items": [{"name": "a"}, {"name": "z"}]}, "z"),
    ({"path": "items.0"}, '{"items": ["from", "json", "text"]}', "from"),  # a JSON string is read as JSON
    ({"path": "['a key']"}, {"a key": 1}, 1),
    ({"path": ""}, [1, 2], [1, 2]),
    ({"path": "nope", "default": "fallback"}, {}, "fallback"),
    ({"path": "a.b"}, {"a": "text"}, "path 'a.b' not found: $.a is a string, not an object"),
])
async def test_selector(settings: dict[str, Any], value: Any, expected: Any) -> None:
    got = await outputs([node("d", "data_block", value=value), node("sel", "selector", **settings)],
                        [link("d", "sel", "value", "value")])
    assert got["sel"] == (expected if isinstance(expected, str) and expected.startswith("path") else {"value": expected})


@pytest.mark.parametrize(("combine", "values", "expected"), [
    ("first", [None, "b", "c"], "b"),
    ("concat", ["x", "y"], "x--y"),
    ("concat", [[1], [2, 3], 4], [1, 2, 3, 4]),
    ("object", ["x", None], {"in0": "x", "in1": None}),
])
async def test_merge_combines(combine: str, values: list[Any], expected: Any) -> None:
    nodes = [node("m", "merge", join="all", combine=combine, separator="--")]
    edges = []
    for i, value in enumerate(values):
        nodes.append(node(f"d{i}", "data_block", value=value))
        edges.append(link(f"d{i}", "m", "value", f"in{i}"))
    got = await outputs(nodes, edges)
    assert got["m"] == {"value": expected}


async def test_random_records_its_seed_and_the_seed_reproduces_the_value() -> None:
    drawn = (await outputs([node("r", "random", choices=["a", "b", "c", "d"])], []))["r"]
    assert drawn["value"] in "abcd" and isinstance(drawn["seed"], int)
    again = (await outputs([node("r", "random", choices=["a", "b", "c", "d"], seed=drawn["seed"])], []))["r"]
    assert again == drawn
    numbers = [(await outputs([node("r", "random", min=1, max=6, integer=True, seed=7.0)], []))["r"] for _ in range(2)]
    assert numbers[0] == numbers[1] and numbers[0]["value"] in range(1, 7) and numbers[0]["seed"] == 7
    invalid = r"^nodes\[0\]\.data: node 'r' \(random\): 'min' \(2\) must not be above 'max' \(1\)$"
    with pytest.raises(GraphValidationError, match=invalid):
        Engine(builtin_registry()).prepare(domain_request([node("r", "random", min=2, max=1)], []))


async def test_context_history_token_budget_keeps_the_newest_that_fit() -> None:
    history = [{"role": "user", "content": "x" * 40}, {"role": "assistant", "content": "y" * 40},
               {"role": "user", "content": "z" * 8}]
    # Tokens: 40 chars → 10 + 4 = 14; 8 chars → 2 + 4 = 6. A budget of 20 fits the last two, not all three.
    got = await outputs([node("h", "context_history", max_tokens=20, messages=history)], [])
    assert got["h"] == {"history": history[1:], "dropped": 1}
    fed = await outputs([node("d", "data_block", value=history), node("h", "context_history", max_messages=1)],
                        [link("d", "h", "value", "history")], {"history": []})
    assert fed["h"] == {"history": history[2:], "dropped": 2}  # an input edge wins over the run input


async def test_data_block_json_and_text() -> None:
    got = await outputs([node("j", "data_block", value='{"a": [1, 2]}', format="json"),
                         node("t", "data_block", text="plain", value={"ignored": True})], [])
    assert got == {"j": {"value": {"a": [1, 2]}}, "t": {"value": "plain"}}


async def test_secrets_are_redacted_in_named_values_too() -> None:
    key = "sk-live-4242424242"
    services = Services.from_settings(ProviderSettings.explicit(mistral_api_key=key))
    request = domain_request([node("d", "data_block", value={"note": f"key {key}", "list": [key, 1], key: True})], [])
    events = await Engine(builtin_registry(), services).run(request)
    [output] = [e.body.output for e in events if isinstance(e.body, NodeOutputProduced)]
    assert key not in repr(output) and key not in repr(events[-1].body)
    assert output.values == {"value": {"note": "key [redacted]", "list": ["[redacted]", 1], "[redacted]": True}}


async def test_an_editor_node_into_an_open_end_is_named_after_its_source() -> None:
    nodes = [node("idea", "consistentCharacter", characterName="Ana", characterDescription="tall"), node("e", "end")]
    got = await outputs(nodes, [link("idea", "e")])
    assert got["e"] == {"idea": "tall"}
