"""llm_structured: a chat whose reply must be a JSON object fitting the element's schema; the
object's fields are the node's named outputs, and its text the object as JSON.

The prompt is built as llm_text's (llm_element.py); the schema (structured_schema.py) goes by
the provider's own mechanism — OpenAI-compatible `response_format` json_schema, Anthropic/Bedrock
tool use, else an instruction — and every reply is validated, a misfit sent back with its
violation, up to `max_attempts` (1–10, default 3); then the node fails with the last violation
(execution.providers.structured_call). Each misfit is shown to the client as it happens: a
RUNNING status event whose message says which attempt failed, why, and that the model is asked
again. The reply is not streamed as text deltas: an attempt's JSON may be thrown away, and a
node's deltas must add up to its output.

Under dry run nothing is sent: the text is the prompt, and each field holds a stand-in of its
type (structured_schema.sample), so the nodes downstream can run on it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from pydantic import Field, PrivateAttr, field_validator, model_validator

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.ai.llm_element import BEDROCK, LlmElementSettings, llm_inputs, llm_request
from execution.nodes.ai.structured_schema import element_schema, sample
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import Text, WholeNumber
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.providers.output_schema import OutputSchema
from execution.providers.structured_call import DEFAULT_ATTEMPTS, FailedAttempt, generate_structured
from execution.values import dumps

MAX_ATTEMPTS = 10


class LlmStructuredSettings(LlmElementSettings):
    # The element's name (seed documents carry one) names the schema's tool / response format.
    name: Text = ""
    """The schema's name as the vendor is told it (a tool or response format name); default "structured_output"."""
    output_schema: dict[str, Any] = Field(default_factory=dict, validate_default=True)
    """The reply's JSON schema (an object schema, or {name: {type, required, description}}): each field becomes a named
    output; every reply is validated against it."""
    max_attempts: Annotated[int | None, WholeNumber(1, MAX_ATTEMPTS)] = None
    """How often to ask for a reply that fits, each misfit sent back with its violation (1–10; default 3)."""
    _schema: OutputSchema = PrivateAttr()

    @field_validator("output_schema")
    @classmethod
    def _usable(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            element_schema(value)
        except InvalidNodeInput as err:
            raise ValueError(err.message.removeprefix("output_schema ")) from None
        return value

    @model_validator(mode="after")
    def _build(self) -> LlmStructuredSettings:
        self._schema = element_schema(self.output_schema, self.name)
        return self

    @property
    def reply_schema(self) -> OutputSchema:
        return self._schema

    @property
    def attempts(self) -> int:
        return self.max_attempts or DEFAULT_ATTEMPTS


def llm_structured_ports(settings: LlmStructuredSettings) -> NodePorts:
    schema = settings.reply_schema
    fields = schema.properties
    described = schema.schema.get("properties") or {}
    outputs = (PortSet(tuple(value_port(name, description=_description(described.get(name))) for name in fields))
               if fields else PortSet(open=True))
    return NodePorts(llm_inputs(settings), outputs)


def _description(field: Any) -> str:
    described = field.get("description") if isinstance(field, dict) else None
    return described if isinstance(described, str) and described else "a field of the reply"


def retry_message(failed: FailedAttempt) -> str:
    return (f"reply {failed.attempt} of {failed.max_attempts} did not fit the output schema "
            f"({failed.violation}); asking again")


async def llm_structured(ctx: NodeContext[LlmStructuredSettings]) -> NodeOutput:
    settings = ctx.settings
    request = replace(llm_request(ctx, settings), output_schema=settings.reply_schema)
    reply = await generate_structured(ctx.services.llm, ctx.model.provider_id, request, purpose="llm_structured",
                                      dry_run=ctx.dry_run, max_attempts=settings.attempts,
                                      on_retry=lambda failed: ctx.report(retry_message(failed)), gate=ctx.gate)
    if reply.value is None:
        values = sample(settings.reply_schema.schema)
        return NodeOutput(text=reply.text, values=values, provider_calls=reply.calls, dry_run=True)
    return NodeOutput(text=dumps(reply.value), values=reply.value, provider_calls=reply.calls, usage=reply.usage)


LLM_STRUCTURED = NodeSpec(
    "llm_structured", NodeFamily.AI, llm_structured, LlmStructuredSettings,
    display_name="LLM Structured",
    description="Generates a JSON object that fits the element's schema (validated, asked again on a misfit); "
                "its fields are the node's outputs.",
    ports=llm_structured_ports, calls_provider=True, default_model=BEDROCK,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (LLM_STRUCTURED,)
