"""Turns an `openai` chat.completions stream into our ChatChunk stream.

Text comes from `choices[0].delta.content`; the stream is complete only once a choice carries a
`finish_reason`. A stream that ends without one was cut short (a proxy closing cleanly, a
server crash after flushing): that is a retryable ProviderError, not a silent short answer.

Usage: the request asks for it (`stream_options.include_usage`), and OpenAI then sends one
last chunk after the finish, with no choices and the `usage` of the whole call; Mistral and
others put `usage` on the finishing chunk itself. Either way the stream is read to its end
and the usage passed on just before the finish (a server that sends none: no usage chunk).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import TYPE_CHECKING

from execution.errors import ProviderError
from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionChunk


async def chat_chunks(stream: AsyncIterable[ChatCompletionChunk],
                      provider_id: str) -> AsyncGenerator[ChatChunk, None]:
    finish_reason: str | None = None
    usage: TokenUsage | None = None
    async for chunk in stream:
        for choice in chunk.choices[:1]:
            text = choice.delta.content if choice.delta is not None else None
            if text:
                yield ChatChunk(text=text)
            if choice.finish_reason:
                finish_reason = choice.finish_reason
        if chunk.usage is not None:
            usage = TokenUsage(chunk.usage.prompt_tokens or 0, chunk.usage.completion_tokens or 0)
    if finish_reason is None:
        raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
    if usage is not None:
        yield ChatChunk(usage=usage)
    yield ChatChunk(finish_reason=finish_reason)
