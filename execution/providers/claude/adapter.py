"""Turns an `anthropic` Messages event stream into our ChatChunk stream.

Text comes from `content_block_delta` events carrying a `text_delta` (thinking and other
block types are not output). `message_delta` carries the stop reason; the stream is complete
only at `message_stop` — ending before it means the stream was cut (retryable ProviderError).

Usage: `message_start.message.usage` has the input tokens (`input_tokens` plus the cache
creation and cache read input tokens: every prompt token the model read); `message_delta.usage`
has the cumulative output tokens (and, on newer API versions, cumulative input tokens, which
then replace the first count). It is passed on just before the finish.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import TYPE_CHECKING

from execution.errors import ProviderError
from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk

if TYPE_CHECKING:
    from anthropic.types import MessageDeltaUsage, RawMessageStreamEvent, Usage


def _input_tokens(usage: Usage | MessageDeltaUsage) -> int | None:
    if usage.input_tokens is None:
        return None
    return usage.input_tokens + (usage.cache_creation_input_tokens or 0) + (usage.cache_read_input_tokens or 0)


async def chat_chunks(events: AsyncIterable[RawMessageStreamEvent],
                      provider_id: str) -> AsyncGenerator[ChatChunk, None]:
    stop_reason = "end_turn"
    usage: TokenUsage | None = None
    async for event in events:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            if event.delta.text:
                yield ChatChunk(text=event.delta.text)
        elif event.type == "message_start":
            started = event.message.usage
            usage = TokenUsage(_input_tokens(started) or 0, started.output_tokens)
        elif event.type == "message_delta":
            if event.delta.stop_reason:
                stop_reason = event.delta.stop_reason
            read = _input_tokens(event.usage)
            before = usage.input_tokens if usage is not None else 0
            usage = TokenUsage(before if read is None else read, event.usage.output_tokens)
        elif event.type == "message_stop":
            if usage is not None:
                yield ChatChunk(usage=usage)
            yield ChatChunk(finish_reason=stop_reason)
            return
    raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
