"""Validation reads the same metadata as the catalogue: a setting of the wrong type or an option a
closed setting does not offer refuses the request before the run — INVALID_ARGUMENT with a
BadRequest field violation naming node and setting — while keys no node type declares, null
("not set") and open options pass; a node that will not run (partial re-execution) is not
refused for its settings."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from execution.errors import InvalidSettings
from execution.nodes.builtin import builtin_registry
from execution.nodes.catalog import catalogue
from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request

REGISTRY = builtin_registry()
# A value no setting offers and no number setting takes.
NOT_AN_OPTION = "no-such-option-7f3a"
# What a node type needs besides the setting under test (its required settings, and what its
# other settings need), so that the first problem is the one under test.
BASE: dict[str, dict[str, Any]] = {
    "flow_select": {"outputs": ["a"]},
    "llm_structured": {"output_schema": {"a": {"type": "string"}}},
    "aptos_build_transaction": {"function": "0x1::m::f"},
    "random": {"choices": [1]},
    "aptos_read": {"resource_type": "0x1::account::Account", "function": "0x1::coin::supply"},
    "custom_script": {"endpoint": "/api/script"},
}


async def refused(client: FlowClient, request: object) -> list[tuple[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in client.execute_flow(request):  # type: ignore[arg-type]
            pytest.fail("an event arrived for a refused request")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    return field_violations(info.value)


async def test_wrong_types_and_unknown_options_are_named_before_any_event(client: FlowClient) -> None:
    request = pb_request([
        pb_node("scene", "sceneBuilder", mood="eerie"),
        pb_node("gen", "imageGenerator", width="wide", steps=True),
        pb_node("t", "translator", language=["fr"], executionMode="turbo"),
        pb_node("m", "merge", join="some"),
        pb_node("out", "textOutput"),
    ], [pb_edge("scene", "gen"), pb_edge("scene", "t"), pb_edge("t", "out")], dry_run=True)
    assert await refused(client, request) == [
        ("nodes[1].data.width", "node 'gen' (imageGenerator): 'width' must be a number, not 'wide'"),
        ("nodes[2].data.executionMode", "node 't' (translator): 'executionMode' must be one of eco, fast, not 'turbo'"),
        ("nodes[3].data.join", "node 'm' (merge): 'join': Input should be 'any', 'all' or 'first_non_null'"),
    ]


async def test_undeclared_keys_null_and_open_options_pass(client: FlowClient) -> None:
    """The editor keeps layout and UI state in `data`; null means "not set"; the translator and the
    scene builder take values beyond their listed options (an unknown language goes by its name)."""
    request = pb_request([
        pb_node("scene", "sceneBuilder", mood="wistful", label="Scene", selected=True, position={"x": 1.0}),
        pb_node("t", "translator", language="Basque", executionMode="FAST", notes=None, status="idle"),
    ], [pb_edge("scene", "t")], dry_run=True)
    events = [e async for e in client.execute_flow(request)]
    done = [e.node_status for e in events if e.HasField("node_status")
            and e.node_status.status == events_pb2.NODE_STATUS_COMPLETE]
    assert {s.node_id for s in done} == {"scene", "t"}
    [call] = [e.node_output.output.provider_calls[0] for e in events
              if e.HasField("node_output") and e.node_output.node_id == "t"]
    assert "Basque" in call.messages[-1].content and "wistful" in call.messages[-1].content


async def test_a_node_that_will_not_run_is_not_refused_for_its_settings(client: FlowClient) -> None:
    """Partial re-execution: the bad node is fed from its cached output and never runs."""
    request = pb_request([pb_node("old", "imageGenerator", prompt="a fox", width="wide"), pb_node("out", "textOutput")],
                         [pb_edge("old", "out")], trigger_node_id="out",
                         cached_outputs={"old": graph_pb2.NodeOutput(text="kept")}, dry_run=True)
    events = [e async for e in client.execute_flow(request)]
    [output] = [e.node_output.output for e in events if e.HasField("node_output") and e.node_output.node_id == "out"]
    assert output.text == "kept"
    request.ClearField("trigger_node_id")  # now it would run: refused
    assert [field for field, _ in await refused(client, request)] == ["nodes[0].data.width"]


def _closed_fields() -> list[tuple[str, str, tuple[str, ...]]]:
    return [(info.node_type, field.name, field.options) for info in catalogue(REGISTRY) for field in info.fields
            if field.options and not field.options_open]


# Text settings that take a number on purpose: seed 003 gives action ids as numbers (read as digits).
NUMBERS_AS_TEXT = {("llm_action", "action_id")}


def _typed_fields() -> list[tuple[str, str, str]]:
    return [(info.node_type, field.name, field.type) for info in catalogue(REGISTRY) for field in info.fields
            if field.type in ("string", "number", "integer") and (info.node_type, field.name) not in NUMBERS_AS_TEXT]


@pytest.mark.parametrize(("node_type", "name", "options"), _closed_fields())
def test_every_closed_option_the_catalogue_lists_is_accepted_and_nothing_else(
        node_type: str, name: str, options: tuple[str, ...]) -> None:
    spec = REGISTRY.get(node_type)
    assert spec is not None
    base = BASE.get(node_type, {})
    for option in options:
        spec.parse_settings({**base, name: option})
    with pytest.raises(InvalidSettings) as info:
        spec.parse_settings({**base, name: NOT_AN_OPTION})
    assert info.value.field == name


@pytest.mark.parametrize(("node_type", "name", "json_type"), _typed_fields())
def test_every_typed_setting_the_catalogue_lists_refuses_another_type(node_type: str, name: str, json_type: str) -> None:
    spec = REGISTRY.get(node_type)
    assert spec is not None
    wrong: Any = 12345 if json_type == "string" else NOT_AN_OPTION
    with pytest.raises(InvalidSettings) as info:
        spec.parse_settings({**BASE.get(node_type, {}), name: wrong})
    assert info.value.field == name
