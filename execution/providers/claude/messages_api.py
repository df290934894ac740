"""MessagesApiProvider: what every provider of Anthropic's Messages API shares — Claude direct
(claude/provider.py) and Claude on AWS Bedrock (bedrock/provider.py): the request (system text
apart, max_tokens required, structured output by tool use) and its event stream. A subclass
builds its SDK client, names its error boundary and says how the API version travels.

Structured output: the schema becomes the one tool of the request, `input_schema` the schema,
and `tool_choice` forces it; the adapter reads that tool call's input JSON as the reply's text.

The `anthropic` SDK is imported with the first client, not with this module: a process where
neither sends does not load it, and `prepare` (dry runs) needs none of it.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator, Mapping
from contextlib import AbstractContextManager, aclosing
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from execution.providers.chat import ChatChunk, ChatRequest
from execution.providers.claude.adapter import chat_chunks
from execution.providers.claude.messages import anthropic_messages
from execution.providers.claude.profile import CLAUDE_PROFILE
from execution.providers.sdk_provider import SdkProvider

if TYPE_CHECKING:
    from anthropic.resources.messages import AsyncMessages

DEFAULT_MAX_TOKENS = 2048


class MessagesClient(Protocol):
    @property
    def messages(self) -> AsyncMessages: ...

    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=MessagesClient)


class MessagesApiProvider(SdkProvider[ClientT], abc.ABC):
    default_profile = CLAUDE_PROFILE

    def prepare(self, request: ChatRequest) -> ChatRequest:
        """Anthropic requires max_tokens: requests without one get DEFAULT_MAX_TOKENS."""
        return replace(super().prepare(request), max_tokens=request.max_tokens or DEFAULT_MAX_TOKENS)

    @abc.abstractmethod
    def _errors(self) -> AbstractContextManager[None]:
        """The vendor's one error boundary."""

    @abc.abstractmethod
    def _version(self, request: ChatRequest) -> tuple[Mapping[str, str] | None, dict[str, Any]]:
        """(extra headers, extra body fields) that carry the API version and, for a request that
        keeps one (see `prepare`), the temperature: the SDK has no temperature parameter."""

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        client = self.client()
        from anthropic import omit

        system, messages = anthropic_messages(request.messages)
        headers, body = self._version(request)
        schema = request.output_schema
        tool = schema.name if schema is not None else None
        with self._errors():
            events = await client.messages.create(
                model=request.model,
                max_tokens=request.max_tokens,
                messages=messages,
                stream=True,
                system=system or omit,
                tools=[{"name": schema.name, "description": schema.description,
                        "input_schema": dict(schema.schema)}] if schema is not None else omit,
                tool_choice={"type": "tool", "name": schema.name} if schema is not None else omit,
                extra_headers=headers,
                extra_body=body or None,
            )
            try:
                async with aclosing(chat_chunks(events, self.provider_id, tool)) as chunks:
                    async for chunk in chunks:
                        yield chunk
            finally:
                await events.close()
