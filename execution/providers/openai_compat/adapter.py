"""Turns an `openai` chat.completions stream into our ChatChunk stream.

Text comes from `choices[0].delta.content`; the stream is complete only once a choice carries a
`finish_reason`. A stream that ends without one was cut short (a proxy closing cleanly, a
server crash after flushing): that is a retryable ProviderError, not a silent short answer.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import TYPE_CHECKING

from execution.errors import ProviderError
from execution.providers.chat import ChatChunk

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk


async def chat_chunks(stream: AsyncIterable[ChatCompletionChunk],
                      provider_id: str) -> AsyncGenerator[ChatChunk, None]:
    async for chunk in stream:
        for choice in chunk.choices[:1]:
            text = choice.delta.content if choice.delta is not None else None
            if text:
                yield ChatChunk(text=text)
            if choice.finish_reason:
                yield ChatChunk(finish_reason=choice.finish_reason)
                return
    raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
