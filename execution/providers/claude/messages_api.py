"""MessagesApiProvider: what every provider of Anthropic's Messages API shares — Claude direct
(claude/provider.py) and Claude on AWS Bedrock (bedrock/provider.py): the request (system text
apart, max_tokens required, structured output by tool use) and its event stream. A subclass
builds its SDK client, names its error boundary and says how the API version travels.

Structured output: the schema becomes the one tool of the request, `input_schema` the schema,
and `tool_choice` forces it; the adapter reads that tool call's input JSON as the reply's text.

The request goes through the client's generic `post` (the SDK's route for an endpoint it has no
method for) with `cast_to=object`: the same URL (Bedrock's client rewrites it to its invoke path
as for `messages.create`), headers, auth or signing, status errors, stream decoding and
in-stream `error` events, without an SDK model per event — the adapter reads the events' JSON
objects. The body holds the keys `messages.create` sends, in its order.

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
        client: Any = self.client()
        from anthropic import AsyncStream

        system, messages = anthropic_messages(request.messages)
        headers, extra = self._version(request)
        schema = request.output_schema
        tool = schema.name if schema is not None else None
        body: dict[str, object] = {"max_tokens": request.max_tokens, "messages": messages, "model": request.model,
                                   "stream": True}
        if system:
            body["system"] = system
        if schema is not None:
            body["tool_choice"] = {"type": "tool", "name": schema.name}
            body["tools"] = [{"name": schema.name, "description": schema.description,
                              "input_schema": dict(schema.schema)}]
        options: dict[str, object] = {}
        if headers:
            options["headers"] = headers
        if extra:
            options["extra_json"] = extra
        with self._errors():
            events = await client.post("/v1/messages", body=body, cast_to=object, options=options,
                                       stream=True, stream_cls=AsyncStream[object])
            try:
                async with aclosing(chat_chunks(events, self.provider_id, tool)) as chunks:
                    async for chunk in chunks:
                        yield chunk
            finally:
                await events.close()
