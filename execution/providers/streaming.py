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
failing is not hit by the next queued call during our wait — except a 429: it is raised at once
(ProviderRateLimited), leaving the slot, and the caller waits for the vendor's Retry-After
without holding any slot (providers.call).

Usage: the last usage the stream reported comes back with the text (NO_USAGE when it had none).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import aclosing

from execution.errors import NodeError, NodeTimeout, ProviderError
from execution.outputs import NO_USAGE, TokenUsage
from execution.providers.chat import ChatRequest, Completion, TextProvider
from execution.providers.resilience import CallPolicy, call_with_retries

TextSink = Callable[[str], None]


async def stream_completion(
    provider: TextProvider,
    request: ChatRequest,
    *,
    policy: CallPolicy,
    slot: asyncio.Semaphore,
    on_text: TextSink | None = None,
) -> Completion:
    """Run a prepared request; pass text to `on_text` as it arrives; return the whole text and
    the tokens the call used. A 429 is raised (ProviderRateLimited), not retried."""
    pid = provider.provider_id
    streamed = 0
    usage: TokenUsage = NO_USAGE

    async def attempt() -> str:
        nonlocal streamed, usage
        parts: list[str] = []
        async with aclosing(provider.stream(request)) as chunks:
            async for chunk in chunks:
                if chunk.text:
                    parts.append(chunk.text)
                    if on_text is not None:
                        on_text(chunk.text)
                        streamed += len(chunk.text)
                if chunk.usage is not None:
                    usage = chunk.usage
        text = "".join(parts)
        if not text.strip():
            raise ProviderError(f"{pid} returned an empty response", retryable=True)
        return text

    async with slot:
        try:
            text = await call_with_retries(attempt, policy.retry, what=f"{pid} call",
                                           may_retry=lambda: streamed == 0, rate_limits_to_caller=True)
        except NodeError as err:
            if not streamed:
                raise
            message = (f"{err.message} (the stream broke after {streamed} characters had been sent; "
                       "discard the partial text)")
            if isinstance(err, NodeTimeout):
                raise NodeTimeout(message) from err
            raise ProviderError(message, retryable=err.retryable) from err
    return Completion(text, usage)
