"""The OpenAI-compatible providers through the real `openai` SDK against a fake server that
speaks chat.completions JSON/SSE: the request on the wire, deltas, retries, failures."""

from __future__ import annotations

import time
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from execution.errors import NodeTimeout, NotConfiguredError, ProviderError
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import NO_KEY_PLACEHOLDER, TEST_KEYS, fake_settings
from tests.fakes.llm_script import Reply
from tests.providers.calls import llm_providers, streamed

PROMPT = (ChatMessage("user", "Describe a lighthouse."),)


def providers(fake: FakeOpenAI, **overrides: Any) -> AbstractAsyncContextManager[LlmProviders]:
    return llm_providers(fake_settings(fake, **overrides))


async def complete(llm: LlmProviders, provider_id: str = "mistral", **request: Any) -> tuple[str, list[str]]:
    return await streamed(llm, provider_id, PROMPT, **request)


async def test_request_on_the_wire_and_deltas_in_order(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=("A ", "tall ", "white ", "tower.")))
    async with providers(fake_openai) as llm:
        text, deltas = await complete(llm, temperature=0.7, max_tokens=300)
    assert deltas == ["A ", "tall ", "white ", "tower."] and text == "A tall white tower."
    [received] = fake_openai.requests
    assert received.path == "/mistral/v1/chat/completions"
    assert received.headers["Authorization"] == f"Bearer {TEST_KEYS['mistral']}"
    assert received.body == {"model": "ministral-14b-2512", "stream": True, "temperature": 0.7, "max_tokens": 300,
                             "stream_options": {"include_usage": True},
                             "messages": [{"role": "user", "content": "Describe a lighthouse."}]}


@pytest.mark.parametrize(("provider_id", "model", "key"), [
    ("glm", "glm-4.7", TEST_KEYS["glm"]),
    ("openrouter", "cognitivecomputations/dolphin-mistral-24b-venice-edition:free", TEST_KEYS["openrouter"]),
    ("huggingface", "Qwen/Qwen2.5-72B-Instruct", TEST_KEYS["huggingface"]),
    ("ollama", "llama3.2", NO_KEY_PLACEHOLDER),
    ("openai", "local-model", NO_KEY_PLACEHOLDER),
])
async def test_every_compatible_provider_is_one_class_and_a_base_url(
        fake_openai: FakeOpenAI, provider_id: str, model: str, key: str) -> None:
    async with providers(fake_openai) as llm:
        text, _ = await complete(llm, provider_id)
    [received] = fake_openai.requests
    assert received.path == f"/{provider_id}/v1/chat/completions"
    assert received.model == model and text == f"[{model}] reply"
    assert received.headers["Authorization"] == f"Bearer {key}"


async def test_client_is_created_lazily_once_and_reused(fake_openai: FakeOpenAI) -> None:
    async with providers(fake_openai) as llm:
        provider = llm.get("mistral")
        assert provider._client is None  # type: ignore[attr-defined]
        await complete(llm)
        client = provider._client  # type: ignore[attr-defined]
        await complete(llm)
        assert client is not None and provider._client is client  # type: ignore[attr-defined]


async def test_429_with_retry_after_is_waited_for_then_succeeds(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.error(429, "Rate limit reached", error_type="rate_limit_exceeded",
                                  headers={"Retry-After": "1"}))
    async with providers(fake_openai) as llm:
        started = time.monotonic()
        text, _ = await complete(llm)
        waited = time.monotonic() - started
    assert text == "[ministral-14b-2512] reply" and len(fake_openai.requests) == 2
    assert waited >= 0.9  # the vendor's hint, not the 10 ms back-off


async def test_repeated_5xx_gives_up_after_max_attempts(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(*[Reply.error(503, "upstream overloaded")] * 5)
    async with providers(fake_openai, provider_max_attempts=3) as llm:
        with pytest.raises(ProviderError) as info:
            await complete(llm)
    assert len(fake_openai.requests) == 3
    assert info.value.retryable and info.value.message == "mistral returned HTTP 503: upstream overloaded"


async def test_non_retryable_status_is_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.error(400, "Invalid model: nope", error_type="invalid_request_error"))
    async with providers(fake_openai) as llm:
        with pytest.raises(ProviderError, match="HTTP 400: Invalid model: nope") as info:
            await complete(llm, model="nope")
    assert not info.value.retryable and len(fake_openai.requests) == 1


async def test_quota_exhausted_429_is_final(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.error(429, "You exceeded your current quota", error_type="insufficient_quota",
                                  error_code="insufficient_quota"))
    async with providers(fake_openai) as llm:
        with pytest.raises(ProviderError, match="quota") as info:
            await complete(llm)
    assert not info.value.retryable and len(fake_openai.requests) == 1


async def test_wrong_key_is_not_configured_and_not_quoted(fake_openai: FakeOpenAI) -> None:
    async with providers(fake_openai, keys={"mistral": "sk-wrong-key-123456"}) as llm:
        with pytest.raises(NotConfiguredError) as info:
            await complete(llm)
    assert info.value.message == "mistral rejected the API key (HTTP 401): check MISTRAL_API_KEY"


async def test_missing_key_fails_before_any_request(fake_openai: FakeOpenAI) -> None:
    async with providers(fake_openai, keys={}) as llm:
        with pytest.raises(NotConfiguredError, match="set MISTRAL_API_KEY"):
            await complete(llm)
    assert fake_openai.requests == []


async def test_drop_before_any_text_is_retried_in_place(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(drop_after=0), Reply(chunks=("fine",)))
    async with providers(fake_openai) as llm:
        text, deltas = await complete(llm)
    assert (text, deltas, len(fake_openai.requests)) == ("fine", ["fine"], 2)


async def test_drop_after_text_fails_without_restarting_the_stream(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=("Once ", "upon ", "a time"), drop_after=2))
    async with providers(fake_openai) as llm:
        with pytest.raises(ProviderError) as info:
            await complete(llm)
    assert len(fake_openai.requests) == 1
    assert info.value.retryable
    assert "connection failed" in info.value.message and "after 10 characters" in info.value.message


async def test_stream_ending_without_finish_reason_is_an_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(*[Reply(chunks=("half",), finish=False)] * 4)
    async with providers(fake_openai) as llm:
        deltas: list[str] = []
        call = llm.call("mistral", ChatRequest(messages=PROMPT))
        with pytest.raises(ProviderError, match="ended before the response was complete"):
            await call.send()  # not streamed to anyone: retried in place
        assert len(fake_openai.requests) == 3
        with pytest.raises(ProviderError, match="after 4 characters"):
            await call.send(on_text=deltas.append)
        assert deltas == ["half"] and len(fake_openai.requests) == 4


async def test_in_stream_error_object_is_a_provider_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=(), stream_error="Upstream provider crashed"), Reply(chunks=("ok",)))
    async with providers(fake_openai) as llm:
        text, _ = await complete(llm)
    assert text == "ok" and len(fake_openai.requests) == 2


async def test_empty_reply_is_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=()), Reply(chunks=("now",)))
    async with providers(fake_openai) as llm:
        text, _ = await complete(llm)
    assert text == "now"


async def test_slow_provider_hits_the_per_call_timeout_and_is_disconnected(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(hang_after=0))
    async with providers(fake_openai, provider_timeouts={"mistral": 0.3}, provider_max_attempts=1) as llm:
        with pytest.raises(NodeTimeout, match="timed out after 0.3 s"):
            await complete(llm)
        await fake_openai.wait_until(lambda: fake_openai.disconnects == 1)


async def test_connection_refused_is_retryable(fake_openai: FakeOpenAI) -> None:
    async with providers(fake_openai, mistral_base_url="http://127.0.0.1:9/v1", provider_max_attempts=2) as llm:
        with pytest.raises(ProviderError, match="mistral connection failed") as info:
            await complete(llm)
    assert info.value.retryable


async def test_fake_also_speaks_plain_json(fake_openai: FakeOpenAI) -> None:
    """The fake's non-streaming answer parses with the real SDK (keeps the fake honest)."""
    async with providers(fake_openai) as llm:
        client = llm.get("mistral").client()  # type: ignore[attr-defined]
        completion = await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == "[m] reply"
