"""Turns an `anthropic` Messages event stream into our ChatChunk stream.

Text comes from `content_block_delta` events carrying a `text_delta` (thinking and other
block types are not output). `message_delta` carries the stop reason; the stream is complete
only at `message_stop` — ending before it means the stream was cut (retryable ProviderError).

Usage: `message_start.message.usage` has the input tokens (`input_tokens` plus the cache
creation and cache read input tokens: every prompt token the model read); `message_delta.usage`
has the cumulative output tokens (and, on newer API versions, cumulative input tokens, which
then replace the first count). It is passed on just before the finish.

A structured request (`tool` named: the tool its tool_choice forces) reads the JSON of that
tool call instead: the `partial_json` of its `input_json_delta` events, as text, so the reply's
text is the tool input's JSON. A tool call whose input streamed no piece yields the input its
`content_block_start` carried (`{}`).
"""

from __future__ import annotations

import json
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


async def chat_chunks(events: AsyncIterable[RawMessageStreamEvent], provider_id: str,
                      tool: str | None = None) -> AsyncGenerator[ChatChunk, None]:
    stop_reason = "end_turn"
    usage: TokenUsage | None = None
    tool_block: int | None = None   # index of the forced tool call's block
    tool_input = ""                 # what that block's start carried, until a piece streams
    async for event in events:
        if event.type == "content_block_delta":
            delta = event.delta
            if tool is None and delta.type == "text_delta" and delta.text:
                yield ChatChunk(text=delta.text)
            elif delta.type == "input_json_delta" and event.index == tool_block and delta.partial_json:
                tool_input = ""
                yield ChatChunk(text=delta.partial_json)
        elif event.type == "content_block_start" and tool is not None:
            block = event.content_block
            if block.type == "tool_use" and block.name == tool and tool_block is None:
                tool_block, tool_input = event.index, json.dumps(block.input)
        elif event.type == "content_block_stop" and event.index == tool_block and tool_input:
            yield ChatChunk(text=tool_input)
            tool_input = ""
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
