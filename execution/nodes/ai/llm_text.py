"""llm_text: one chat completion — the wrapper prompt filled from named inputs, an optional
system prompt and history (llm_element.py) — streamed as text deltas; the reply is the node's
text and its one named output.

The output is named by the element's `output_schema` (its one entry; seed 004: `llm_output`),
`llm_output` when it declares none. Under dry run nothing is sent: the output is the prompt,
as for every LLM node.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from execution.context import NodeContext
from execution.nodes.ai.llm_element import BEDROCK, LlmElementSettings, llm_inputs, llm_request, output_name
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_schema import FieldSchema, ValueSchema
from execution.outputs import NodeOutput

DEFAULT_OUTPUT = "llm_output"


class LlmTextSettings(LlmElementSettings):
    output_schema: ValueSchema = Field(default_factory=dict)
    """The one output's name: {name: {type}} (default llm_output)."""

    @field_validator("output_schema")
    @classmethod
    def _one_output(cls, value: dict[str, FieldSchema]) -> dict[str, FieldSchema]:
        output_name(value, DEFAULT_OUTPUT)
        return value

    @property
    def output(self) -> str:
        return output_name(self.output_schema, DEFAULT_OUTPUT)


def llm_text_ports(settings: LlmTextSettings) -> NodePorts:
    return NodePorts(llm_inputs(settings), PortSet((value_port(settings.output, description="the reply (text)"),)))


async def llm_text(ctx: NodeContext[LlmTextSettings]) -> NodeOutput:
    call = ctx.services.llm.call(ctx.model.provider_id, llm_request(ctx, ctx.settings), purpose="llm_text")
    completion = await call.run(dry_run=ctx.dry_run, on_text=ctx.emit_text, gate=ctx.gate)
    text = completion.text
    return NodeOutput(text=text, values={ctx.settings.output: text}, provider_calls=(call.record,),
                      dry_run=ctx.dry_run, usage=completion.usage)


LLM_TEXT = NodeSpec(
    "llm_text", NodeFamily.AI, llm_text, LlmTextSettings,
    display_name="LLM Text",
    description="Generates text from a wrapper prompt filled with named inputs (optional system prompt and "
                "history); streams the reply.",
    ports=llm_text_ports, calls_provider=True, default_model=BEDROCK,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (LLM_TEXT,)
