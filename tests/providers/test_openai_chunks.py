"""The OpenAI-compatible adapter reads the chunks' JSON objects as the SDK's SSE decoder parsed
them (no per-chunk model): a chunk of another shape is a malformed response, not a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from execution.errors import ProviderError
from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk
from execution.providers.openai_compat.adapter import chat_chunks


async def _frames(*frames: object) -> AsyncIterator[object]:
    for frame in frames:
        yield frame


async def _read(*frames: object) -> list[ChatChunk]:
    return [chunk async for chunk in chat_chunks(_frames(*frames), "mistral")]


async def test_text_usage_and_finish_from_plain_objects() -> None:
    chunks = await _read({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
                         {"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": None}]},
                         {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                         {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 1}})
    assert chunks == [ChatChunk(text="Hi"), ChatChunk(usage=TokenUsage(3, 1)), ChatChunk(finish_reason="stop")]


@pytest.mark.parametrize("frame", [["not", "an", "object"], {"choices": ["text"]},
                                   {"choices": [{"delta": "text"}]}, {"choices": [], "usage": 7}])
async def test_a_chunk_of_another_shape_is_malformed(frame: object) -> None:
    with pytest.raises(ValueError):
        await _read(frame)


async def test_a_stream_without_a_finish_is_cut_short() -> None:
    with pytest.raises(ProviderError, match="ended before the response was complete"):
        await _read({"choices": [{"delta": {"content": "Hi"}}]})
