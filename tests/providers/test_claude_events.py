"""The Messages API adapter reads the events' JSON objects as the SDK's decoder parsed them (no
per-event model): every prompt token counted (cache reads and writes too), a later input count
replacing the first, and an event of another shape a malformed response, not a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk
from execution.providers.claude.adapter import chat_chunks


async def _events(*events: object) -> AsyncIterator[object]:
    for event in events:
        yield event


async def _read(*events: object, tool: str | None = None) -> list[ChatChunk]:
    return [chunk async for chunk in chat_chunks(_events(*events), "anthropic", tool)]


START = {"type": "message_start", "message": {"usage": {
    "input_tokens": 10, "cache_creation_input_tokens": 5, "cache_read_input_tokens": 100, "output_tokens": 1}}}


async def test_text_and_usage_with_cache_tokens() -> None:
    chunks = await _read(START,
                         {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}},
                         {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}, "usage": {"output_tokens": 7}},
                         {"type": "message_stop"})
    assert chunks == [ChatChunk(text="Hi"), ChatChunk(usage=TokenUsage(115, 7)), ChatChunk(finish_reason="max_tokens")]


async def test_a_later_input_count_replaces_the_first() -> None:
    chunks = await _read(START, {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                 "usage": {"input_tokens": 20, "cache_read_input_tokens": 1, "output_tokens": 3}},
                         {"type": "message_stop"})
    assert chunks[0] == ChatChunk(usage=TokenUsage(21, 3))


async def test_the_forced_tool_input_is_the_text() -> None:
    chunks = await _read(
        START, {"type": "content_block_start", "index": 1,
                "content_block": {"type": "tool_use", "name": "reply", "input": {}}},
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'}},
        {"type": "content_block_stop", "index": 1}, {"type": "message_stop"}, tool="reply")
    assert [c.text for c in chunks if c.text] == ['{"a": 1}']


@pytest.mark.parametrize("event", [["not", "an", "object"], {"type": "content_block_delta", "delta": "x"},
                                   {"type": "message_start", "message": {"usage": None}}])
async def test_an_event_of_another_shape_is_malformed(event: object) -> None:
    with pytest.raises(ValueError):
        await _read(event)
