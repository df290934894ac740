"""Turns an `openai` chat.completions stream (each chunk the JSON object the vendor sent, as the
SDK's SSE decoder parsed it) into our ChatChunk stream.

Text comes from `choices[0].delta.content`; the stream is complete only once a choice carries a
`finish_reason`. A stream that ends without one was cut short (a proxy closing cleanly, a
server crash after flushing): that is a retryable ProviderError, not a silent short answer.

Usage: the request asks for it (`stream_options.include_usage`), and OpenAI then sends one
last chunk after the finish, with no choices and the `usage` of the whole call; Mistral and
others put `usage` on the finishing chunk itself. Either way the stream is read to its end
and the usage passed on just before the finish (a server that sends none: no usage chunk).
A chunk that is not the documented shape is a malformed response (ValueError: the error
boundary makes it a retryable ProviderError).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import Any

from execution.errors import ProviderError
from execution.outputs import TokenUsage
from execution.providers.chat import ChatChunk


async def chat_chunks(stream: AsyncIterable[object], provider_id: str) -> AsyncGenerator[ChatChunk, None]:
    finish_reason: str | None = None
    usage: TokenUsage | None = None
    async for chunk in stream:
        if not isinstance(chunk, dict):
            raise ValueError("a stream chunk that is not a JSON object")
        choices = chunk.get("choices")
        if choices:
            choice = _object(choices[0])
            delta = choice.get("delta")
            text = _object(delta).get("content") if delta is not None else None
            if text:
                yield ChatChunk(text=text)
            if choice.get("finish_reason"):
                finish_reason = choice["finish_reason"]
        reported = chunk.get("usage")
        if reported is not None:
            reported = _object(reported)
            usage = TokenUsage(reported.get("prompt_tokens") or 0, reported.get("completion_tokens") or 0)
    if finish_reason is None:
        raise ProviderError(f"{provider_id} stream ended before the response was complete", retryable=True)
    if usage is not None:
        yield ChatChunk(usage=usage)
    yield ChatChunk(finish_reason=finish_reason)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("a stream chunk field that is not a JSON object")
    return value
