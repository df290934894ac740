"""The LLM provider table (seed §8) and how each entry's Endpoint is read from settings.

A provider id names its settings: `<id>_api_key`, `<id>_base_url`, `<id>_model` on
ProviderSettings. Adding an OpenAI-compatible provider is one row here plus those fields.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from execution.providers.chat import Vendor
from execution.providers.endpoint import Endpoint
from execution.providers.settings import ProviderSettings


class KeyRule(enum.Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"   # sent when set (a vLLM started with --api-key), else none
    NONE = "none"           # the server takes no key (local Ollama)


@dataclass(frozen=True, slots=True)
class LlmProviderSpec:
    provider_id: str
    vendor: Vendor
    key: KeyRule = KeyRule.REQUIRED


LLM_PROVIDERS: tuple[LlmProviderSpec, ...] = (
    LlmProviderSpec("mistral", Vendor.OPENAI_COMPATIBLE),
    LlmProviderSpec("glm", Vendor.OPENAI_COMPATIBLE),
    LlmProviderSpec("openrouter", Vendor.OPENAI_COMPATIBLE),
    LlmProviderSpec("huggingface", Vendor.OPENAI_COMPATIBLE),
    LlmProviderSpec("ollama", Vendor.OPENAI_COMPATIBLE, KeyRule.NONE),
    LlmProviderSpec("openai", Vendor.OPENAI_COMPATIBLE, KeyRule.OPTIONAL),
    LlmProviderSpec("claude", Vendor.ANTHROPIC),
)


def endpoint_for(spec: LlmProviderSpec, settings: ProviderSettings) -> Endpoint:
    pid = spec.provider_id
    key = None
    key_env = None
    if spec.key is not KeyRule.NONE:
        secret = getattr(settings, f"{pid}_api_key")
        key = secret.get_secret_value() if secret is not None else None
        key_env = ProviderSettings.env_name(f"{pid}_api_key")
    return Endpoint(
        provider_id=pid,
        vendor=spec.vendor,
        base_url=getattr(settings, f"{pid}_base_url"),
        base_url_env=ProviderSettings.env_name(f"{pid}_base_url"),
        default_model=getattr(settings, f"{pid}_model"),
        model_env=ProviderSettings.env_name(f"{pid}_model"),
        timeout=settings.call_policy(pid).retry.timeout,
        max_connections=settings.call_policy(pid).max_concurrency,
        api_key=key,
        key_env=key_env,
        key_required=spec.key is KeyRule.REQUIRED,
    )
