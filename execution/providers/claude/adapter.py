"""Turns an `anthropic` Messages event stream into our ChatChunk stream.

Text comes from `content_block_delta` events carrying a `text_delta` (thinking and other
block types are not output). `message_delta` carries the stop reason; the stream is complete
only at `message_stop` — ending before it means the stream was cut (retryable ProviderError).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import TYPE_CHECKING

from execution.errors import ProviderError
from execution.providers.chat import ChatChunk

if TYPE_CHECKING:
    from anthropic.types import RawMessageStreamEvent


async def chat_chunks(events: AsyncIterable[RawMessageStreamEvent],
                      provider_id: str) -> AsyncGenerator[ChatChunk, None]:
    stop_reason = "end_turn"
    async for event in events:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            if event.delta.text:
                yield ChatChunk(text=event.delta.text)
        elif event.type == "message_delta" and event.delta.stop_reason:
            stop_reason = event.delta.stop_reason
        elif event.type == "message_stop":
            yield ChatChunk(finish_reason=stop_reason)
            return
    raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
