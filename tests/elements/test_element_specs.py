"""Seed 004's elements carry what a node-type catalogue lists, on their own NodeSpecs: a display
name and a description, a settings record whose every field says what it is for, and ports
that say what they carry (for settings-dependent ports, with typical settings)."""

from __future__ import annotations

from typing import Any

import pytest

from execution.nodes import aptos, custom_code
from execution.nodes.ai import NODE_SPECS as AI
from execution.nodes.flow_control import NODE_SPECS as FLOW_CONTROL
from execution.nodes.input_handling import NODE_SPECS as INPUT_HANDLING
from execution.nodes.spec import NodeSpec
from execution.nodes.utility import NODE_SPECS as UTILITY

ELEMENTS: tuple[NodeSpec[Any], ...] = (*FLOW_CONTROL, *INPUT_HANDLING, *UTILITY, *AI, *custom_code.NODE_SPECS,
                                       *aptos.NODE_SPECS)
SCHEMA = {"name": {"type": "string", "description": "who"}, "age": {"type": "integer"}}
# Settings that give a settings-dependent type its typical ports.
TYPICAL: dict[str, dict[str, Any]] = {
    "start": {"input_schema": SCHEMA}, "end": {"input_schema": SCHEMA},
    "case": {"cases": [{"output": "yes", "operator": "exists"}]}, "flow_select": {"outputs": ["a", "b"]},
    "llm_text": {"wrapper_prompt": "Tell of {place}", "input_schema": SCHEMA}, "llm_structured": {"output_schema": SCHEMA},
    "custom_code": {"code": "def main(inputs):\n    return {}\n", "input_schema": SCHEMA, "output_schema": SCHEMA},
    "aptos_build_transaction": {"function": "0x1::aptos_account::transfer"},
}


def test_every_element_of_seed_004_is_here() -> None:
    assert {spec.node_type for spec in ELEMENTS} == {
        "start", "end", "case", "flow_select", "merge", "selector", "random", "chat_input", "context_history",
        "data_block", "llm_text", "llm_structured", "custom_code", "aptos_read", "aptos_build_transaction"}


@pytest.mark.parametrize("spec", ELEMENTS, ids=lambda spec: spec.node_type)
def test_an_element_describes_itself_its_settings_and_its_ports(spec: NodeSpec[Any]) -> None:
    assert spec.display_name and spec.description.endswith(".")
    fields = spec.settings.model_json_schema(by_alias=True)["properties"]
    assert fields, "an element's settings record lists its fields"
    undescribed = [name for name, field in fields.items() if not field.get("description")]
    assert not undescribed, f"settings without a description: {undescribed}"
    assert all("\n" not in field["description"] for field in fields.values())
    ports = spec.node_ports(spec.parse_settings(TYPICAL.get(spec.node_type, {})))
    for port in (*ports.inputs.ports, *ports.outputs.ports):
        assert port.description, f"port {port.handle!r} says nothing of what it carries"
