"""data_block: a static value — JSON or text — given in its settings.

Settings:
    value   any JSON value
    text    a text value (used instead of `value` when set)
    format  "json": a string `value` holds JSON and is parsed (bad JSON is a violation before
            the run); "auto" (the default): `value` as given

Output: `value`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import model_validator

from execution.context import NodeContext
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.outputs import NodeOutput

_PORTS = NodePorts(PortSet(), PortSet((value_port("value", description="the block's value"),)))


class DataBlockSettings(ElementSettings):
    value: Any = None
    """The value output: any JSON value."""
    text: str | None = None
    """A text value, output instead of value when set."""
    format: Literal["auto", "json"] = "auto"
    """"json": a string value holds JSON and is parsed (bad JSON is refused before the run); "auto": value as given."""

    @model_validator(mode="after")
    def _parse(self) -> DataBlockSettings:
        if self.format == "json" and isinstance(self.value, str) and self.text is None:
            try:
                object.__setattr__(self, "value", json.loads(self.value))
            except ValueError as err:
                raise ValueError(f"'value' is not valid JSON: {err}") from None
        return self

    @property
    def data(self) -> Any:
        return self.text if self.text is not None else self.value


async def data_block(ctx: NodeContext[DataBlockSettings]) -> NodeOutput:
    return value_output({"value": ctx.settings.data})


DATA_BLOCK = NodeSpec(
    "data_block", NodeFamily.INPUT, data_block, DataBlockSettings,
    display_name="Data Block",
    description="A static JSON or text value.",
    ports=lambda _settings: _PORTS,
)
