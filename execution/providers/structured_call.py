"""A chat whose reply must be a JSON object that fits an OutputSchema: sent by the provider's
own mechanism (its profile's StructuredOutput), read and validated here, and asked again —
with the violation fed back — until it fits or the attempts run out.

Each attempt is one ChatCall (under the provider's own retries for transport failures). A
reply that does not fit adds two messages to the conversation — the reply as the assistant's,
then a user message quoting the violation — and the next attempt sends them all; `on_retry`
hears of each such failure first, so a caller can show it. When the last attempt fails too,
SchemaMismatch carries its violation. Under dry run there is one call, not sent; its text is
the prompt and there is no value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from execution.errors import ProviderError
from execution.messages import ChatMessage
from execution.outputs import NO_USAGE, ProviderCall, TokenUsage
from execution.prompts.structured_output import retry_message
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from execution.providers.output_schema import SchemaViolation
from execution.ratelimit.gate import UNGATED, CallGate

DEFAULT_ATTEMPTS = 3


class SchemaMismatch(ProviderError):
    """Every attempt's reply failed the schema; the message quotes the last violation. Not
    retryable: the node already asked as often as it was allowed to."""

    retryable = False


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    attempt: int
    max_attempts: int
    violation: str


@dataclass(frozen=True, slots=True)
class StructuredReply:
    # The validated object; None under dry run.
    value: dict[str, Any] | None
    # The accepted reply's text (under dry run, the prompt).
    text: str
    # Every call made (or, dry, shown), in order.
    calls: tuple[ProviderCall, ...]
    # Tokens of every attempt (a misfit's tokens were spent too).
    usage: TokenUsage = NO_USAGE


async def generate_structured(llm: LlmProviders, provider_id: str, request: ChatRequest, *, purpose: str,
                              dry_run: bool, max_attempts: int = DEFAULT_ATTEMPTS,
                              on_retry: Callable[[FailedAttempt], None] | None = None,
                              gate: CallGate = UNGATED) -> StructuredReply:
    schema = request.output_schema
    if schema is None or max_attempts < 1:
        raise ValueError("generate_structured needs an output_schema and at least one attempt")
    messages = request.messages
    calls: list[ProviderCall] = []
    usage = NO_USAGE
    for attempt in range(1, max_attempts + 1):
        call = llm.call(provider_id, replace(request, messages=messages), purpose=purpose)
        calls.append(call.record)
        completion = await call.run(dry_run=dry_run, gate=gate)
        text, usage = completion.text, usage + completion.usage
        if dry_run:
            return StructuredReply(None, text, tuple(calls))
        try:
            return StructuredReply(schema.read_reply(text), text, tuple(calls), usage)
        except SchemaViolation as violation:
            if attempt == max_attempts:
                raise SchemaMismatch(f"the reply did not fit the output schema after {attempt} "
                                     f"attempt{'s' if attempt > 1 else ''}: {violation}") from None
            if on_retry is not None:
                on_retry(FailedAttempt(attempt, max_attempts, str(violation)))
            messages = (*messages, ChatMessage("assistant", text), ChatMessage("user", retry_message(str(violation))))
    raise AssertionError("unreachable")
