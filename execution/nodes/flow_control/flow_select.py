"""flow_select: routes to one of several named outputs, chosen by a key from its inputs or its
settings; exactly that route runs.

Settings:
    outputs         the routes' names (at least one, distinct)
    key             a fixed route name (it wins over the input); when empty, the key is the
                    named input `key_input`
    key_input       the input holding the route's name (default "key")
    default_output  the route taken when the key names none of `outputs`; empty (the
                    default): such a key fails the node (INVALID_INPUT, naming the key)

The value sent down the route is the input `value` when an edge fills it, else the key's own
input value when the key came from an input, else the main input
(execution.nodes.value_inputs.main_input). Routes are BRANCH ports, as for case.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import field_validator, model_validator

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import main_input, value_output
from execution.outputs import NodeOutput
from execution.quoting import quote
from execution.values import as_text

VALUE_INPUT = "value"
MAX_ROUTES = 256


class FlowSelectSettings(ElementSettings):
    outputs: list[str]
    """The routes' names (at least one, distinct): the node's outputs."""
    key: str = ""
    """A fixed route name (wins over the input); empty: the route is named by the input key_input."""
    key_input: str = "key"
    """The input holding the route's name (default "key")."""
    default_output: str = ""
    """The route taken when the key names none of outputs; empty: such a key fails the node."""

    @field_validator("outputs", mode="before")
    @classmethod
    def _routes(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ValueError("must be a list of one or more output names")
        if len(value) > MAX_ROUTES:
            raise ValueError(f"has {len(value)} outputs, over the limit of {MAX_ROUTES}")
        if len(set(value)) != len(value):
            raise ValueError("names an output twice")
        return value

    @model_validator(mode="after")
    def _key(self) -> FlowSelectSettings:
        if not self.key and not self.key_input:
            raise ValueError("set 'key' (a fixed route) or 'key_input' (the input holding it)")
        if self.key_input == VALUE_INPUT:
            raise ValueError(f"'key_input' must not be {VALUE_INPUT!r} (the input that is routed)")
        return self

    @property
    def routes(self) -> list[str]:
        extra = [self.default_output] if self.default_output and self.default_output not in self.outputs else []
        return [*self.outputs, *extra]


def flow_select_ports(settings: FlowSelectSettings) -> NodePorts:
    return _ports(settings.key_input, tuple(settings.routes))


@functools.lru_cache(maxsize=256)  # a flow's nodes are wired again each run
def _ports(key_input: str, routes: tuple[str, ...]) -> NodePorts:
    inputs = PortSet((value_port(key_input, description="the name of the route to take (unless the key setting names one)"),
                      value_port(VALUE_INPUT, description="the value sent down the route")))
    return NodePorts(inputs, PortSet(tuple(value_port(r, branch=True, description="the value, when the key names this route")
                                           for r in routes)))


async def flow_select(ctx: NodeContext[FlowSelectSettings]) -> NodeOutput:
    settings = ctx.settings
    if settings.key:
        key = settings.key
    elif settings.key_input in ctx.values:
        key = as_text(ctx.values[settings.key_input])
    else:
        raise InvalidNodeInput(f"no key: input {quote(settings.key_input)} has no value and no fixed 'key' is set")
    if key in settings.outputs:
        route = key
    elif settings.default_output:
        route = settings.default_output
    else:
        raise InvalidNodeInput(f"key {quote(key)} names no output of this node; its outputs: "
                               f"{', '.join(settings.outputs)}")
    if VALUE_INPUT in ctx.values:
        value = ctx.values[VALUE_INPUT]
    elif not settings.key:
        value = ctx.values[settings.key_input]
    else:
        value = main_input(ctx, VALUE_INPUT)
    return value_output({route: value})


FLOW_SELECT = NodeSpec(
    "flow_select", NodeFamily.FLOW_CONTROL, flow_select, FlowSelectSettings,
    display_name="Flow Select",
    description="Routes to one of several named outputs, chosen by a key from its inputs or settings.",
    ports=flow_select_ports,
)
