"""What llm_text and llm_structured share: their settings (seed 004's element fields), their
named inputs, and the chat they send.

Settings, spelled as the seed's documents spell them:
    wrapper_prompt   the prompt, `{name}` placeholders filled from named inputs (wrapper_prompt.py);
                     empty: the input `prompt` (else the element's one input) is the prompt
    system_prompt    optional system text
    temperature      0–2; unset: the provider's default (and not sent where the model takes none)
    max_tokens       1–200000; unset: the provider's default
    input_schema     {name: {type, required, description}}: declared inputs, types checked
    provider_id / providerId, model   as for every LLM node (execution.model_resolution); the
                     type's default is `bedrock` with its default model (FLOWEXEC_BEDROCK_MODEL)

Inputs: the declared ones, every placeholder, `prompt` when there is no wrapper prompt, and
`history` (also accepted as `context_history`): a conversation — a list of {role, content},
what a context_history element outputs — sent between the system prompt and the prompt. Its
system messages join the system prompt, after it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field, field_validator

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.messages import ChatMessage
from execution.model_resolution import ModelChoice
from execution.nodes.ai.wrapper_prompt import fill, placeholders
from execution.nodes.input_handling.context_history import conversation
from execution.nodes.ports import Port, PortSet, value_port
from execution.nodes.setting_types import ElementSettings, NumberBetween, RawText, Text, WholeNumber
from execution.nodes.value_inputs import main_input
from execution.nodes.value_schema import ValueSchema, check_values, port_description
from execution.providers.chat import ChatRequest
from execution.values import as_text

PROMPT_INPUT = "prompt"
HISTORY_INPUTS = ("history", "context_history")
MAX_TOKENS = 200_000
# Seed 004 runs its AI elements on AWS Bedrock: the type default, unless the node names its own.
BEDROCK = ModelChoice("bedrock")


class LlmElementSettings(ElementSettings):
    provider_id: Text = Field("", validation_alias=AliasChoices("provider_id", "providerId"))
    """The provider (also providerId); unset: bedrock, the AI elements' default."""
    model: Text = ""
    """The model at that provider, or task:NAME; unset: the provider's default model."""
    wrapper_prompt: RawText = ""
    """The prompt, its {name} placeholders filled from the named inputs (a placeholder without a value fails the node);
    empty: the input prompt is the prompt."""
    system_prompt: RawText = ""
    """Optional system text (a history's system messages follow it)."""
    temperature: Annotated[float | None, NumberBetween(0.0, 2.0)] = None
    """0–2; unset: the provider's default."""
    max_tokens: Annotated[int | None, WholeNumber(1, MAX_TOKENS)] = None
    """Longest reply in tokens (1–200000); unset: the provider's default."""
    input_schema: ValueSchema = Field(default_factory=dict)
    """Declared inputs: {name: {type, required, description}} (required ones checked, types checked)."""

    @field_validator("wrapper_prompt")
    @classmethod
    def _placeholders_named(cls, value: str) -> str:
        placeholders(value)  # ValueError on an empty {}
        return value

    @property
    def placeholders(self) -> tuple[str, ...]:
        return placeholders(self.wrapper_prompt)


def llm_inputs(settings: LlmElementSettings) -> PortSet:
    """The element's named inputs (see the module docstring)."""
    ports: dict[str, Port] = {name: value_port(name, required=field.required, description=port_description(field))
                              for name, field in settings.input_schema.items()}
    for name in settings.placeholders:
        ports.setdefault(name, value_port(name, description="fills the wrapper prompt"))
    if not settings.wrapper_prompt:
        ports.setdefault(PROMPT_INPUT, value_port(PROMPT_INPUT, description="the prompt (no wrapper prompt is set)"))
    for name in HISTORY_INPUTS:
        ports.setdefault(name, value_port(name, description="a conversation: [{role, content}, …]"))
    return PortSet(tuple(ports.values()))


def llm_request(ctx: NodeContext[Any], settings: LlmElementSettings) -> ChatRequest:
    """The chat this element sends: system prompt, history, then the filled-in prompt."""
    check_values(ctx.values, settings.input_schema, "input")
    wrapper = settings.wrapper_prompt
    prompt = fill(wrapper, ctx.values) if wrapper else as_text(main_input(ctx, PROMPT_INPUT))
    if not prompt.strip():
        raise InvalidNodeInput(f"nothing to send: connect an input named {PROMPT_INPUT!r} or set wrapper_prompt")
    history = next(((name, ctx.values[name]) for name in HISTORY_INPUTS if ctx.values.get(name) is not None), None)
    turns = conversation(history[1], f"input {history[0]!r}") if history is not None else []
    system = [settings.system_prompt] if settings.system_prompt.strip() else []
    system += [m["content"] for m in turns if m["role"] == "system"]
    messages = [ChatMessage("system", "\n\n".join(system))] if system else []
    messages += [ChatMessage(m["role"], m["content"]) for m in turns if m["role"] != "system"]
    messages.append(ChatMessage("user", prompt))
    return ChatRequest(messages=tuple(messages), model=ctx.model.model, temperature=settings.temperature,
                       max_tokens=settings.max_tokens or 0)


def output_name(schema: dict[str, Any], default: str) -> str:
    """The one output an element declares in its output_schema (default when none)."""
    names = list(schema)
    if len(names) > 1:
        raise ValueError(f"declares {len(names)} outputs ({', '.join(sorted(names))}); this element has one")
    return names[0] if names else default
