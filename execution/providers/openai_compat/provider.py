"""OpenAICompatibleProvider: an Endpoint plus a lazily created, reused `AsyncOpenAI` client.

The SDK's own retries are off (max_retries=0): execution.providers.resilience decides.
Its timeout is the endpoint's per-call timeout, so a stalled connection surfaces as a timeout
even between our own checks. Providers that need no key (ollama, a local vLLM) get a
placeholder, because the SDK insists on one and such servers ignore it.

The `openai` SDK is imported with the first client, not with this module: a process where
no OpenAI-compatible provider sends never loads it, and `prepare` (dry runs) needs none of it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING

from execution.providers.chat import ChatChunk, ChatRequest, Vendor
from execution.providers.openai_compat.adapter import chat_chunks
from execution.providers.openai_compat.errors import openai_errors
from execution.providers.openai_compat.messages import openai_messages
from execution.providers.openai_compat.profile import OPENAI_COMPATIBLE_PROFILE
from execution.providers.sdk_provider import SdkProvider

if TYPE_CHECKING:
    from openai import AsyncOpenAI

NO_KEY_PLACEHOLDER = "no-key"


class OpenAICompatibleProvider(SdkProvider["AsyncOpenAI"]):
    vendor = Vendor("openai_compatible")
    default_profile = OPENAI_COMPATIBLE_PROFILE

    def _create_client(self, key: str | None, base_url: str) -> AsyncOpenAI:
        import httpx2
        from openai import AsyncOpenAI, DefaultAsyncHttpx2Client

        pool = self.endpoint.max_connections
        http_client = DefaultAsyncHttpx2Client(
            limits=httpx2.Limits(max_connections=pool, max_keepalive_connections=pool))
        return AsyncOpenAI(api_key=key or NO_KEY_PLACEHOLDER, base_url=base_url, max_retries=0,
                           timeout=self.endpoint.timeout, http_client=http_client)

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        client = self.client()
        from openai import omit

        messages = openai_messages(request.messages)
        with openai_errors(self.endpoint):
            response = await client.chat.completions.create(
                model=request.model,
                messages=messages,
                stream=True,
                temperature=request.temperature if request.temperature is not None else omit,
                max_tokens=request.max_tokens or omit,
                stream_options={"include_usage": True},
            )
            try:
                async with aclosing(chat_chunks(response, self.provider_id)) as chunks:
                    async for chunk in chunks:
                        yield chunk
            finally:
                await response.close()
