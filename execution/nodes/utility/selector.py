"""selector: picks a field or a list item out of its input by a path (execution.json_path).

Settings:
    path     `$.order.items[0].name`, `items.0.name`, `['a key']` (empty: the whole input)
    input    the named input read (default "value"; else the main input,
             execution.nodes.value_inputs.main_input)
    default  the value output when the path leads nowhere; without one, that fails the node
             (INVALID_INPUT, saying where the path stopped)

A string input that holds a JSON object or array (an LLM's reply, say) is read as that JSON.
The output is `value`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import model_validator

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.json_path import JsonPath, PathNotFound
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import main_input, value_output
from execution.outputs import NodeOutput
from execution.quoting import quote

OUTPUT = "value"


class SelectorSettings(ElementSettings):
    path: str = ""
    """Where to read: $.order.items[0].name, items.0.name or ['a key'] (empty: the whole input). A text input holding
    JSON is read as that JSON."""
    input: str = "value"
    """The named input read (default "value"); without such an edge, the node's main input."""
    default: Any = None
    """The value output when the path leads nowhere; without one, that fails the node."""

    @model_validator(mode="after")
    def _parse(self) -> SelectorSettings:
        if not self.input:
            raise ValueError("'input' must not be empty")
        JsonPath.parse(self.path)
        return self

    @property
    def json_path(self) -> JsonPath:
        return JsonPath.parse(self.path)


def selector_ports(settings: SelectorSettings) -> NodePorts:
    return NodePorts(PortSet((value_port(settings.input, description="the value read from"),)),
                     PortSet((value_port(OUTPUT, description="the value at the path"),)))


def _as_json(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def selector(ctx: NodeContext[SelectorSettings]) -> NodeOutput:
    settings = ctx.settings
    source = main_input(ctx, settings.input)
    path = settings.json_path
    if not path.segments:  # the whole input
        return value_output({OUTPUT: source})
    try:
        picked = path.get(_as_json(source))
    except PathNotFound as err:
        if "default" not in settings.model_fields_set:
            raise InvalidNodeInput(f"path {quote(settings.path)} not found: {err}") from None
        picked = settings.default
    return value_output({OUTPUT: picked})


SELECTOR = NodeSpec(
    "selector", NodeFamily.UTILITY, selector, SelectorSettings,
    display_name="Selector",
    description="Picks a field or a list item out of its input by a path such as $.items[0].name.",
    ports=selector_ports,
)
