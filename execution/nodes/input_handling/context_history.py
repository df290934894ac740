"""context_history: a conversation (a list of {role, content}), trimmed to a budget.

Where the conversation comes from, first found: the named input `history` (an upstream node),
the run input `input_key` (default "history"), the `messages` setting.

Budgets (either, both or none): `max_messages` and `max_tokens` keep the most recent messages
that fit; system messages are always kept, at their place, when `keep_system` (the default),
and count toward the budgets. Tokens are estimated, not counted by any vendor's tokenizer:
ceil(characters / 4) per message plus 4 for its framing (TOKENS_PER_MESSAGE), which errs
towards keeping less.

Roles are "system", "user" and "assistant"; content is text. Anything else fails the node
(INVALID_INPUT, naming the message's index). Outputs: `history` (the kept messages) and
`dropped` (how many were left out).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.outputs import NodeOutput

INPUT = "history"
ROLES = ("system", "user", "assistant")
TOKENS_PER_MESSAGE = 4
CHARS_PER_TOKEN = 4
_PORTS = NodePorts(PortSet((value_port(INPUT, description="a conversation: [{role, content}, …]"),)),
                   PortSet((value_port("history", description="the messages kept, oldest first"),
                            value_port("dropped", description="how many messages were left out"))))


class ContextHistorySettings(ElementSettings):
    input_key: str = "history"
    """The run input holding the conversation (default "history"), read when no edge fills the input history."""
    messages: list[Any] = Field(default_factory=list)
    """The conversation when neither the input nor the run input gives one: [{role, content}], roles system, user,
    assistant."""
    max_messages: int | None = Field(default=None, ge=0)
    """Keep at most this many messages, the most recent (unset: no limit)."""
    max_tokens: int | None = Field(default=None, ge=0)
    """Keep the most recent messages whose estimated tokens (characters / 4, plus 4 a message) fit (unset: no limit)."""
    keep_system: bool = True
    """Keep system messages, at their place, whatever the budget (they count toward it)."""


def estimate_tokens(message: dict[str, str]) -> int:
    return math.ceil(len(message["content"]) / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE


def conversation(raw: Any, source: str) -> list[dict[str, str]]:
    """`raw` as a list of {role, content}; InvalidNodeInput naming the first bad message."""
    if not isinstance(raw, list):
        raise InvalidNodeInput(f"{source} must be a list of {{role, content}} messages")
    messages = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidNodeInput(f"{source}[{i}] must be an object {{role, content}}")
        role, content = item.get("role"), item.get("content")
        if role not in ROLES:
            raise InvalidNodeInput(f"{source}[{i}].role must be one of {', '.join(ROLES)} (not {role!r})")
        if not isinstance(content, str):
            raise InvalidNodeInput(f"{source}[{i}].content must be text")
        messages.append({"role": role, "content": content})
    return messages


def trim(messages: list[dict[str, str]], settings: ContextHistorySettings) -> list[dict[str, str]]:
    """The most recent messages within the budgets; system messages kept when `keep_system`."""
    pinned = {i for i, m in enumerate(messages) if settings.keep_system and m["role"] == "system"}
    count = len(pinned)
    tokens = sum(estimate_tokens(messages[i]) for i in pinned)
    kept = set(pinned)
    for i in range(len(messages) - 1, -1, -1):
        if i in pinned:
            continue
        cost = estimate_tokens(messages[i])
        if settings.max_messages is not None and count + 1 > settings.max_messages:
            break
        if settings.max_tokens is not None and tokens + cost > settings.max_tokens:
            break
        kept.add(i)
        count += 1
        tokens += cost
    return [m for i, m in enumerate(messages) if i in kept]


async def context_history(ctx: NodeContext[ContextHistorySettings]) -> NodeOutput:
    settings = ctx.settings
    if INPUT in ctx.values:
        messages = conversation(ctx.values[INPUT], f"input {INPUT!r}")
    elif settings.input_key in ctx.run_inputs:
        messages = conversation(ctx.run_inputs[settings.input_key], f"run input {settings.input_key!r}")
    else:
        messages = conversation(settings.messages, "messages")
    kept = trim(messages, settings)
    output = value_output({"history": kept, "dropped": len(messages) - len(kept)}, main="history")
    text = "\n".join(f"{m['role']}: {m['content']}" for m in kept)
    return NodeOutput(text=text, values=output.values)


CONTEXT_HISTORY = NodeSpec(
    "context_history", NodeFamily.INPUT, context_history, ContextHistorySettings,
    display_name="Context History",
    description="A conversation (role/content messages) trimmed to a message or token budget.",
    ports=lambda _settings: _PORTS,
)
