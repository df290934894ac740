"""Claude through the real `anthropic` SDK against a fake Messages server (JSON and SSE
events): the request on the wire, text deltas, and every failure mapped by the boundary."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

import anthropic
import pytest

from execution.errors import NodeTimeout, NotConfiguredError, ProviderError
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.llm_env import TEST_KEYS, fake_settings
from tests.fakes.llm_script import Reply
from tests.providers.calls import llm_providers, streamed


def providers(fake: FakeAnthropic, **overrides: Any) -> AbstractAsyncContextManager[LlmProviders]:
    return llm_providers(fake_settings(anthropic=fake, **overrides))


async def complete(llm: LlmProviders, **request: Any) -> tuple[str, list[str]]:
    return await streamed(llm, "claude", **request)


async def test_request_on_the_wire_and_deltas(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(chunks=("The ", "sea ", "remembers.")))
    async with providers(fake_anthropic) as llm:
        text, deltas = await complete(llm, temperature=0.95, max_tokens=900)
    assert deltas == ["The ", "sea ", "remembers."] and text == "The sea remembers."
    [received] = fake_anthropic.requests
    assert received.path == "/v1/messages"
    assert received.headers["Authorization"] == f"Bearer {TEST_KEYS['claude']}"
    # The default model refuses sampling parameters: no temperature, the SDK's own API version.
    assert received.headers["anthropic-version"] == "2026-10-21"
    assert received.body == {"model": "claude-sonnet-5-5", "max_tokens": 900, "stream": True,
                             "messages": [{"role": "user", "content": "Tell a tale."}]}


@pytest.mark.parametrize(("model", "version", "sent"), [
    ("claude-sonnet-4-6", "2023-06-01", {"temperature": 0.95}),  # takes one, on the version that accepts it
    ("claude-sonnet-5-5", "2026-10-21", {}),                    # refuses one on every version: none
])
async def test_temperature_goes_where_the_model_takes_it(fake_anthropic: FakeAnthropic, model: str, version: str,
                                                         sent: dict[str, float]) -> None:
    fake_anthropic.queue(Reply(chunks=("Salt ", "and ", "tide.")))
    async with providers(fake_anthropic) as llm:
        text, deltas = await complete(llm, model=model, temperature=0.95, max_tokens=900)
    assert deltas == ["Salt ", "and ", "tide."] and text == "Salt and tide."  # the same stream on both versions
    [received] = fake_anthropic.requests
    assert received.headers["anthropic-version"] == version
    assert received.body == {"model": model, "max_tokens": 900, "stream": True, **sent,
                             "messages": [{"role": "user", "content": "Tell a tale."}]}


# Claude up to 4.6 takes a temperature (on API version 2023-06-01); bare, dated, alias, Bedrock and Vertex ids.
TAKES_TEMPERATURE = [
    "claude-sonnet-4-6", "claude-opus-4-6", "claude-haiku-4-5", "claude-opus-4-1", "claude-opus-4-0",
    "claude-sonnet-4-5-20250929", "claude-opus-4-20250514", "claude-3-5-haiku-20241022", "claude-3-7-sonnet-latest",
    "claude-3-opus-20240229", "anthropic.claude-sonnet-4-6-v1:0", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "claude-opus-4-1@20250805", "claude-3-5-sonnet-v2@20241022", "Claude-Sonnet-4-6",
]
# From 4.7 on sampling parameters are refused; an id the table does not know gets none either.
TAKES_NONE = [
    "claude-sonnet-5-5", "claude-sonnet-5", "claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-opus-5-5",
    "claude-haiku-5-5", "anthropic.claude-opus-4-7-v1:0", "claude-opus-4-7@20260416", "claude-opus-4-7-20260416",
    "claude-opus-4-60", "claude-fable-5", "claude-2.1", "sonnet-4-6", "my-claude-sonnet-4-6",
]


@pytest.mark.parametrize(("model", "temperature"), [(m, 0.95) for m in TAKES_TEMPERATURE]
                         + [(m, 0.0) for m in TAKES_NONE])
def test_the_dry_run_record_shows_the_temperature_sent(model: str, temperature: float) -> None:
    call = LlmProviders.unconfigured().call("claude", ChatRequest(messages=(), model=model, temperature=0.95))
    assert (call.record.model, call.record.temperature, call.record.max_tokens) == (model, temperature, 2048)
    assert call.request.temperature == (temperature or None)


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


async def test_fake_refuses_sampling_like_the_api(fake_anthropic: FakeAnthropic) -> None:
    """Keeps the fake honest: a temperature on the SDK's default API version, or to a model from
    4.7 on, is the API's 400 — so a provider that sends one there fails its tests."""
    user = [{"role": "user", "content": "hi"}]
    async with providers(fake_anthropic) as llm:
        client = llm.get("claude").client()  # type: ignore[attr-defined]
        with pytest.raises(anthropic.BadRequestError, match="temperature: Extra inputs are not permitted"):
            await client.messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=user,
                                         extra_body={"temperature": 1.0})
        with pytest.raises(anthropic.BadRequestError, match="`temperature` is deprecated for this model"):
            await client.messages.create(model="claude-sonnet-5-5", max_tokens=10, messages=user,
                                         extra_headers={"anthropic-version": "2023-06-01"},
                                         extra_body={"temperature": 0.95})
        message = await client.messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=user,
                                               extra_headers={"anthropic-version": "2023-06-01"},
                                               extra_body={"temperature": 0.95})
    assert message.content[0].text == "[claude-sonnet-4-6] reply"


async def test_fake_also_speaks_plain_json(fake_anthropic: FakeAnthropic) -> None:
    async with providers(fake_anthropic) as llm:
        client = llm.get("claude").client()  # type: ignore[attr-defined]
        message = await client.messages.create(model="c", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].text == "[c] reply"
