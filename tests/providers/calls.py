"""What the provider tests share: providers built from settings (closed after the block), and one
streamed completion with the deltas it delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from execution.providers.settings import ProviderSettings

TALE = (ChatMessage("user", "Tell a tale."),)


@asynccontextmanager
async def llm_providers(settings: ProviderSettings) -> AsyncIterator[LlmProviders]:
    llm = LlmProviders.from_settings(settings)
    try:
        yield llm
    finally:
        await llm.aclose()


async def streamed(llm: LlmProviders, provider_id: str, messages: Sequence[ChatMessage] = TALE,
                   **request: Any) -> tuple[str, list[str]]:
    """The whole text of one call to `provider_id`, and the deltas it streamed, in order."""
    deltas: list[str] = []
    completion = await llm.call(provider_id, ChatRequest(messages=tuple(messages), **request)).send(
        on_text=deltas.append)
    return completion.text, deltas
