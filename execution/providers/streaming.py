"""One streamed LLM completion under the resilience policy: concurrency slot, bounded
retries, per-attempt timeout — and what to do when a stream breaks half-way.

Dropped-stream rule: a failed attempt is retried in place only while nothing of it has been
passed to `on_text` yet (a failure before the first token, an intermediate call that is not
streamed to the client). Once text has gone out, the client already holds those deltas and a
second attempt would stream a different text after them, so the call fails instead: the
node ends ERROR (retryable, the message says how much had streamed), and the client knows to
discard the partial text it received. Replies that carry no text at all count as failures
(a 200 with nothing in it is not a usable prompt).

The concurrency slot is held for the whole call, back-off included, so a provider that is
rate-limiting us is not hit by the next queued call during our wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing

from execution.errors import NodeError, NodeTimeout, ProviderError
from execution.providers.chat import ChatRequest, TextProvider
from execution.providers.resilience import CallPolicy, call_with_retries

TextSink = Callable[[str], None]


async def stream_completion(
    provider: TextProvider,
    request: ChatRequest,
    *,
    policy: CallPolicy,
    slot: asyncio.Semaphore,
    on_text: TextSink | None = None,
) -> str:
    """Run a prepared request; pass text to `on_text` as it arrives; return the whole text."""
    pid = provider.provider_id
    streamed = 0

    async def attempt() -> str:
        nonlocal streamed
        parts: list[str] = []
        async with aclosing(provider.stream(request)) as chunks:
            async for chunk in chunks:
                if chunk.text:
                    parts.append(chunk.text)
                    if on_text is not None:
                        on_text(chunk.text)
                        streamed += len(chunk.text)
        text = "".join(parts)
        if not text.strip():
            raise ProviderError(f"{pid} returned an empty response", retryable=True)
        return text

    async with slot:
        try:
            return await call_with_retries(attempt, policy.retry, what=f"{pid} call",
                                           may_retry=lambda: streamed == 0)
        except NodeError as err:
            if not streamed:
                raise
            message = (f"{err.message} (the stream broke after {streamed} characters had been sent; "
                       "discard the partial text)")
            if isinstance(err, NodeTimeout):
                raise NodeTimeout(message) from err
            raise ProviderError(message, retryable=err.retryable) from err
