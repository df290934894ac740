"""Turns an `anthropic` Messages event stream (each event the JSON object the vendor sent, as the
SDK's SSE or AWS event-stream decoder parsed it) into our ChatChunk stream.

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

An event that is not the documented shape is a malformed response (ValueError: the error
boundaries make it a retryable ProviderError).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterable
from typing import Any

from execution.errors import ProviderError
from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a stream event or field that is not a JSON object")
    return value


def _input_tokens(usage: dict[str, Any]) -> int | None:
    if usage.get("input_tokens") is None:
        return None
    return (usage["input_tokens"] + (usage.get("cache_creation_input_tokens") or 0)
            + (usage.get("cache_read_input_tokens") or 0))


async def chat_chunks(events: AsyncIterable[object], provider_id: str,
                      tool: str | None = None) -> AsyncGenerator[ChatChunk, None]:
    stop_reason = "end_turn"
    usage: TokenUsage | None = None
    tool_block: int | None = None   # index of the forced tool call's block
    tool_input = ""                 # what that block's start carried, until a piece streams
    async for raw in events:
        event = _object(raw)
        kind = event.get("type")
        if kind == "content_block_delta":
            delta = _object(event.get("delta"))
            delta_kind = delta.get("type")
            if tool is None and delta_kind == "text_delta" and delta.get("text"):
                yield ChatChunk(text=delta["text"])
            elif delta_kind == "input_json_delta" and event.get("index") == tool_block and delta.get("partial_json"):
                tool_input = ""
                yield ChatChunk(text=delta["partial_json"])
        elif kind == "content_block_start" and tool is not None:
            block = _object(event.get("content_block"))
            if block.get("type") == "tool_use" and block.get("name") == tool and tool_block is None:
                tool_block, tool_input = event.get("index"), json.dumps(block.get("input"))
        elif kind == "content_block_stop" and event.get("index") == tool_block and tool_input:
            yield ChatChunk(text=tool_input)
            tool_input = ""
        elif kind == "message_start":
            started = _object(_object(event.get("message")).get("usage"))
            usage = TokenUsage(_input_tokens(started) or 0, started.get("output_tokens") or 0)
        elif kind == "message_delta":
            stop = _object(event.get("delta")).get("stop_reason")
            if stop:
                stop_reason = stop
            reported = _object(event.get("usage"))
            read = _input_tokens(reported)
            before = usage.input_tokens if usage is not None else 0
            usage = TokenUsage(before if read is None else read, reported.get("output_tokens") or 0)
        elif kind == "message_stop":
            if usage is not None:
                yield ChatChunk(usage=usage)
            yield ChatChunk(finish_reason=stop_reason)
            return
    raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
