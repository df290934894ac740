"""custom_code: user Python run in the sandbox (execution.sandbox), never in the server.

The code defines the entry point `def main(inputs: dict) -> dict`: `inputs` holds the node's
named inputs (JSON values by input name; text from an editor node arrives under that node's
id), and each key of the returned object is a named output (its text: the only value, or the
object as JSON). Settings:

    code           the Python source (standard library only; required)
    input_schema   the named inputs, as for `end` (required names and types checked); none:
                   any name
    output_schema  the outputs main must return (required names and types checked); none:
                   whatever it returns

Off unless the server sets ALLOW_CUSTOM_CODE=true (the node then ends NOT_CONFIGURED, saying
so). A timeout, a limit or an exception in the code ends this node alone, with the reason
(execution.sandbox.errors).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from execution.context import NodeContext
from execution.nodes.ports import NodePorts
from execution.nodes.setting_types import ElementSettings, must
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.nodes.value_schema import ValueSchema, check_values, schema_ports
from execution.outputs import NodeOutput

MAX_CODE_CHARS = 256 * 1024


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_CODE_CHARS


class CustomCodeSettings(ElementSettings):
    # Required: Python source defining main(inputs) (as written: indentation matters).
    code: Annotated[str, must(_is_code, f"must be Python source defining main(inputs), at most {MAX_CODE_CHARS:,} "
                                        "characters")] = Field(default=None, validate_default=True)
    """Python source (standard library only) defining main(inputs: dict) -> dict; each key returned is a named output.
    Runs in the sandbox, only where the server allows custom code."""
    input_schema: ValueSchema = Field(default_factory=dict)
    """The named inputs, as for end (required names and types checked); empty: any name."""
    output_schema: ValueSchema = Field(default_factory=dict)
    """The outputs main must return (required names and types checked); empty: whatever it returns."""


def custom_code_ports(settings: CustomCodeSettings) -> NodePorts:
    return NodePorts(schema_ports(settings.input_schema), schema_ports(settings.output_schema, required=False))


async def custom_code(ctx: NodeContext[CustomCodeSettings]) -> NodeOutput:
    inputs = dict(ctx.values)
    check_values(inputs, ctx.settings.input_schema, "input")
    result = await ctx.services.sandbox.run(ctx.settings.code, inputs)
    check_values(result.value, ctx.settings.output_schema, "main's output")
    return value_output(result.value)


CUSTOM_CODE = NodeSpec(
    "custom_code", NodeFamily.CODE, custom_code, CustomCodeSettings,
    display_name="Custom Code",
    description="Runs `main(inputs) -> dict` of your Python in a sandbox (no network, no secrets, "
                "memory/CPU/time limits): named inputs in, named outputs out. Off unless the server "
                "allows custom code (ALLOW_CUSTOM_CODE=true).",
    ports=custom_code_ports,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (CUSTOM_CODE,)
