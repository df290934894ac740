"""Claude through the real `anthropic` SDK against a fake Messages server (JSON and SSE
events): the request on the wire, text deltas, and every failure mapped by the boundary."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from execution.errors import NodeTimeout, NotConfiguredError, ProviderError
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.llm_env import TEST_KEYS, fake_settings
from tests.fakes.llm_script import Reply


@asynccontextmanager
async def providers(fake: FakeAnthropic, **overrides: Any) -> AsyncIterator[LlmProviders]:
    llm = LlmProviders.from_settings(fake_settings(anthropic=fake, **overrides))
    try:
        yield llm
    finally:
        await llm.aclose()


async def complete(llm: LlmProviders, **request: Any) -> tuple[str, list[str]]:
    deltas: list[str] = []
    call = llm.call("claude", ChatRequest(messages=(ChatMessage("user", "Tell a tale."),), **request))
    return await call.send(on_text=deltas.append), deltas


async def test_request_on_the_wire_and_deltas(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(chunks=("The ", "sea ", "remembers.")))
    async with providers(fake_anthropic) as llm:
        text, deltas = await complete(llm, temperature=0.95, max_tokens=900)
    assert deltas == ["The ", "sea ", "remembers."] and text == "The sea remembers."
    [received] = fake_anthropic.requests
    assert received.path == "/v1/messages"
    assert received.headers["Authorization"] == f"Bearer {TEST_KEYS['claude']}"
    # API version 2026-10-21 rejects sampling parameters: temperature is never sent.
    assert received.body == {"model": "claude-sonnet-5-5", "max_tokens": 900, "stream": True,
                             "messages": [{"role": "user", "content": "Tell a tale."}]}


def test_prepare_shows_what_is_sent() -> None:
    provider = LlmProviders.unconfigured().get("claude")
    prepared = provider.prepare(ChatRequest(messages=(), temperature=0.95))
    assert (prepared.model, prepared.temperature, prepared.max_tokens) == ("claude-sonnet-5-5", None, 2048)


async def test_missing_key_names_the_variable(fake_anthropic: FakeAnthropic) -> None:
    async with providers(fake_anthropic, keys={}) as llm:
        with pytest.raises(NotConfiguredError, match="set ANTHROPIC_API_KEY"):
            await complete(llm)
    assert fake_anthropic.requests == []


async def test_overloaded_529_with_retry_after_then_success(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply.error(529, "Overloaded", headers={"retry-after": "0.2"}))
    async with providers(fake_anthropic) as llm:
        text, _ = await complete(llm)
    assert text == "[claude-sonnet-5-5] reply" and len(fake_anthropic.requests) == 2


async def test_rate_limit_429_is_retried(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply.error(429, "Number of request tokens has exceeded your per-minute rate limit",
                                     headers={"retry-after": "0"}))
    async with providers(fake_anthropic) as llm:
        text, _ = await complete(llm)
    assert text and len(fake_anthropic.requests) == 2


async def test_spend_limit_429_is_final(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply.error(429, "monthly spend limit reached", error_code="enforced_spend_limit_reached",
                                     headers={"retry-after": "0"}))
    async with providers(fake_anthropic) as llm:
        with pytest.raises(ProviderError, match="quota or spend limit") as info:
            await complete(llm)
    assert not info.value.retryable and len(fake_anthropic.requests) == 1


async def test_bad_request_is_final_and_quoted(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply.error(400, "max_tokens: must be positive"))
    async with providers(fake_anthropic) as llm:
        with pytest.raises(ProviderError, match=r"claude returned HTTP 400: max_tokens: must be positive"):
            await complete(llm)


async def test_in_stream_overloaded_event_before_text_is_retried(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(chunks=(), stream_error="Overloaded"))
    async with providers(fake_anthropic) as llm:
        text, _ = await complete(llm)
    assert text and len(fake_anthropic.requests) == 2


async def test_in_stream_error_after_text_fails_the_call(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(chunks=("The ", "sea"), stream_error="Overloaded"))
    async with providers(fake_anthropic) as llm:
        with pytest.raises(ProviderError) as info:
            await complete(llm)
    assert "overloaded_error mid-stream" in info.value.message and "after 7 characters" in info.value.message
    assert len(fake_anthropic.requests) == 1


async def test_connection_dropped_mid_stream(fake_anthropic: FakeAnthropic) -> None:
    """The SDK lets httpx2's RemoteProtocolError escape here; the boundary maps it."""
    fake_anthropic.queue(Reply(chunks=("The ", "sea ", "remembers."), drop_after=1))
    async with providers(fake_anthropic) as llm:
        with pytest.raises(ProviderError, match="claude connection failed") as info:
            await complete(llm)
    assert info.value.retryable and "after 4 characters" in info.value.message


async def test_missing_message_stop_is_incomplete(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(*[Reply(chunks=("cut",), finish=False)] * 2)
    async with providers(fake_anthropic, provider_max_attempts=2) as llm:
        call = llm.call("claude", ChatRequest(messages=(ChatMessage("user", "x"),)))
        with pytest.raises(ProviderError, match="ended before the response was complete"):
            await call.send()


async def test_stalled_stream_is_a_timeout(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(chunks=("a", "b"), hang_after=1))
    async with providers(fake_anthropic, provider_timeouts={"claude": 0.3}) as llm:
        with pytest.raises(NodeTimeout) as info:
            await complete(llm)
    assert "after 1 characters" in info.value.message and len(fake_anthropic.requests) == 1
    await fake_anthropic.wait_until(lambda: fake_anthropic.disconnects == 1)


async def test_fake_also_speaks_plain_json(fake_anthropic: FakeAnthropic) -> None:
    async with providers(fake_anthropic) as llm:
        client = llm.get("claude").client()  # type: ignore[attr-defined]
        message = await client.messages.create(model="c", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].text == "[c] reply"
