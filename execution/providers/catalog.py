"""The LLM provider table — which providers exist, the class (vendor) each one speaks through,
how its key is handled, and its vision model — and how each row's Endpoint is read from settings.

A provider id names its settings: `<id>_api_key`, `<id>_base_url`, `<id>_model` on
ProviderSettings. Adding an OpenAI-compatible provider is one row here plus those fields;
adding an SDK vendor is its folder (a provider class with its profile) plus a row naming it. A
vendor that needs more than a key (Bedrock: AWS credentials and region) reads it from settings
in its class's `configured`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from execution.providers.bedrock import BedrockProvider
from execution.providers.claude import ClaudeProvider
from execution.providers.endpoint import Endpoint
from execution.providers.openai_compat import OpenAICompatibleProvider
from execution.providers.profile import ProviderProfile, StructuredOutput
from execution.providers.sdk_provider import SdkProvider
from execution.providers.settings import ProviderSettings


class KeyRule(enum.Enum):
    REQUIRED = "required"
    OPTIONAL = "optional"   # sent when set (a vLLM started with --api-key), else none
    NONE = "none"           # the server takes no key (local Ollama)


@dataclass(frozen=True, slots=True)
class LlmProviderSpec:
    provider_id: str
    # The vendor: the class that speaks its wire protocol, with its default profile.
    provider_class: type[SdkProvider[Any]]
    key: KeyRule = KeyRule.REQUIRED
    # The model vision nodes use when they name none, for a provider whose default model reads no images.
    vision_model: str = ""
    # How this provider gets JSON that fits a schema, when its API differs from its vendor's default.
    structured_output: StructuredOutput | None = None

    @property
    def profile(self) -> ProviderProfile:
        profile = self.provider_class.default_profile
        if self.vision_model:
            profile = replace(profile, vision_model=self.vision_model)
        if self.structured_output is not None:
            profile = replace(profile, structured_output=self.structured_output)
        return profile


LLM_PROVIDERS: tuple[LlmProviderSpec, ...] = (
    LlmProviderSpec("mistral", OpenAICompatibleProvider, vision_model="pixtral-12b-2409"),
    # Z.ai's response_format is json_object only: the schema goes in the prompt.
    LlmProviderSpec("glm", OpenAICompatibleProvider, vision_model="glm-4.6v",
                    structured_output=StructuredOutput.INSTRUCT),
    LlmProviderSpec("openrouter", OpenAICompatibleProvider),
    LlmProviderSpec("huggingface", OpenAICompatibleProvider, vision_model="Qwen/Qwen2.5-VL-7B-Instruct"),
    LlmProviderSpec("ollama", OpenAICompatibleProvider, KeyRule.NONE),
    LlmProviderSpec("openai", OpenAICompatibleProvider, KeyRule.OPTIONAL),
    LlmProviderSpec("claude", ClaudeProvider),
    # Claude on AWS Bedrock; AWS credentials and region instead of a key (bedrock/provider.py).
    LlmProviderSpec("bedrock", BedrockProvider, KeyRule.NONE),
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
        vendor=spec.provider_class.vendor,
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


def provider_for(spec: LlmProviderSpec, settings: ProviderSettings) -> SdkProvider[Any]:
    """The row's provider, configured from settings."""
    return spec.provider_class.configured(endpoint_for(spec, settings), spec.profile, settings)
