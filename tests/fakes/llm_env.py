"""Provider settings pointing every LLM provider at the fake servers, with test keys and
fast back-off (the fakes themselves are fixtures: tests/fixtures/fake_vendors.py).

One FakeOpenAI serves all OpenAI-compatible providers: each gets the base URL
`<fake>/<provider id>/v1`, so `ReceivedRequest.path` says which provider was called.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from execution.providers.settings import ProviderSettings
from execution.services import Services
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_bedrock import FakeBedrock
from tests.fakes.fake_openai import FakeOpenAI

OPENAI_COMPATIBLE = ("mistral", "glm", "openrouter", "huggingface", "ollama", "openai")

# Distinctive fake keys: any of them (or a long piece of one) in an event is a leak.
TEST_KEYS = {
    "mistral": "sk-mistral-TESTKEY-7f3a9c21",
    "glm": "glm-TESTKEY-5b8e0d44",
    "openrouter": "sk-or-TESTKEY-91c2e7aa",
    "huggingface": "hf_TESTKEY_c0ffee1234",
    "claude": "sk-ant-TESTKEY-d15ea5e0",
    "fireworks": "fw-TESTKEY-0badcafe",
}
NO_KEY_PLACEHOLDER = "no-key"
# AWS credentials for the fake Bedrock (tests.fakes.fake_bedrock): signing keys, and a Bedrock API key.
AWS_TEST = {"aws_region": "us-west-2", "aws_access_key_id": "AKIATESTKEY0BEDROCK1",
            "aws_secret_access_key": "bedrock-SECRET-TESTKEY-4e7f1a2b"}
BEDROCK_BEARER_TOKEN = "ABSKbedrock-TESTKEY-6c1d9e37"


def fake_settings(openai: FakeOpenAI | None = None, anthropic: FakeAnthropic | None = None,
                  bedrock: FakeBedrock | None = None, *, keys: dict[str, str] | None = None,
                  **overrides: Any) -> ProviderSettings:
    """`keys`: the API keys to set (default TEST_KEYS; AWS credentials come with the default only)."""
    values: dict[str, Any] = {f"{pid}_api_key": key for pid, key in (TEST_KEYS if keys is None else keys).items()}
    if keys is None:
        values.update(AWS_TEST)
    values.update(provider_initial_backoff=0.01, provider_timeout=5.0)
    if openai is not None:
        values.update({f"{pid}_base_url": f"{openai.url}/{pid}/v1" for pid in OPENAI_COMPATIBLE})
        values["openai_model"] = "local-model"
    if anthropic is not None:
        values["claude_base_url"] = anthropic.url
    if bedrock is not None:
        values["bedrock_base_url"] = bedrock.url
    values.update(overrides)
    return ProviderSettings.explicit(**values)



@asynccontextmanager
async def text_services(openai: FakeOpenAI | None = None, anthropic: FakeAnthropic | None = None,
                        bedrock: FakeBedrock | None = None, **overrides: Any) -> AsyncIterator[Services]:
    """Services whose LLM providers are the given fakes (`fake_settings`), closed on the way out."""
    services = Services.from_settings(fake_settings(openai, anthropic, bedrock, **overrides))
    try:
        yield services
    finally:
        await services.aclose()
