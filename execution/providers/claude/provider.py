"""ClaudeProvider: an Endpoint plus a lazily created, reused `AsyncAnthropic` client.

SDK retries are off (max_retries=0): execution.providers.resilience decides. The key is
always passed explicitly, so the SDK never falls back to its own environment or profile
lookup. Anthropic requires max_tokens; requests without one get DEFAULT_MAX_TOKENS.

Temperature: the SDK's default API version refuses it, so `prepare` keeps it only for a model
the profile says takes one (claude/profile.py), and such a request is sent on the API version
that accepts it, with the temperature in the body; every other request carries none. A dry run
shows exactly that. The stream format is the same on both versions.

The `anthropic` SDK is imported with the first client, not with this module: a process where
Claude never sends does not load it, and `prepare` (dry runs) needs none of it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import replace
from typing import TYPE_CHECKING

from execution.providers.chat import ChatChunk, ChatRequest, Vendor
from execution.providers.claude.adapter import chat_chunks
from execution.providers.claude.errors import anthropic_errors
from execution.providers.claude.messages import anthropic_messages
from execution.providers.claude.profile import CLAUDE_PROFILE, SAMPLING_API_VERSION
from execution.providers.sdk_provider import SdkProvider

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

DEFAULT_MAX_TOKENS = 2048


class ClaudeProvider(SdkProvider["AsyncAnthropic"]):
    vendor = Vendor("anthropic")
    default_profile = CLAUDE_PROFILE

    def prepare(self, request: ChatRequest) -> ChatRequest:
        return replace(super().prepare(request), max_tokens=request.max_tokens or DEFAULT_MAX_TOKENS)

    def _create_client(self, key: str | None, base_url: str) -> AsyncAnthropic:
        import httpx2
        from anthropic import AsyncAnthropic, DefaultAsyncHttpxClient

        pool = self.endpoint.max_connections
        http_client = DefaultAsyncHttpxClient(
            limits=httpx2.Limits(max_connections=pool, max_keepalive_connections=pool))
        return AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=self.endpoint.timeout,
                              http_client=http_client)

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        client = self.client()
        from anthropic import omit

        system, messages = anthropic_messages(request.messages)
        # The SDK has no temperature parameter: it goes in the body, on the version that takes it.
        sampling = request.temperature is not None
        with anthropic_errors(self.endpoint):
            events = await client.messages.create(
                model=request.model,
                max_tokens=request.max_tokens,
                messages=messages,
                stream=True,
                system=system or omit,
                extra_headers={"anthropic-version": SAMPLING_API_VERSION} if sampling else None,
                extra_body={"temperature": request.temperature} if sampling else None,
            )
            try:
                async with aclosing(chat_chunks(events, self.provider_id)) as chunks:
                    async for chunk in chunks:
                        yield chunk
            finally:
                await events.close()
