"""LlmProviders: this process's text providers by id, each with its call policy, sharing one
set of per-provider concurrency limits across every run.

Built once from ProviderSettings (Services.from_env); a provider whose key is missing is
still listed — resolving it and preparing a request work (dry runs need that), only sending
fails, with a NotConfiguredError naming the variable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from execution.errors import InvalidNodeInput
from execution.providers.catalog import LLM_PROVIDERS, endpoint_for
from execution.providers.chat import ChatRequest, TextProvider, Vendor
from execution.providers.claude import ClaudeProvider
from execution.providers.openai_compat import OpenAICompatibleProvider
from execution.providers.resilience import CallPolicy, ConcurrencyLimits
from execution.providers.settings import ProviderSettings
from execution.providers.streaming import TextSink, stream_completion


class LlmProviders:
    def __init__(self, providers: Mapping[str, TextProvider], policies: Mapping[str, CallPolicy],
                 limits: ConcurrencyLimits) -> None:
        self._providers = dict(providers)
        self._policies = dict(policies)
        self._limits = limits

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> LlmProviders:
        providers: dict[str, TextProvider] = {}
        for spec in LLM_PROVIDERS:
            endpoint = endpoint_for(spec, settings)
            providers[spec.provider_id] = (ClaudeProvider(endpoint) if spec.vendor is Vendor.ANTHROPIC
                                           else OpenAICompatibleProvider(endpoint))
        policies = {pid: settings.call_policy(pid) for pid in providers}
        return cls(providers, policies, settings.concurrency_limits())

    @classmethod
    def unconfigured(cls) -> LlmProviders:
        """The provider table with defaults and no keys (only key-less providers can send)."""
        return cls.from_settings(ProviderSettings.explicit())

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._providers)

    def get(self, provider_id: str) -> TextProvider:
        provider = self._providers.get(provider_id)
        if provider is None:
            if not provider_id:
                raise InvalidNodeInput("No provider selected for this node or flow")
            known = ", ".join(self._providers)
            raise InvalidNodeInput(f"Unknown text provider '{provider_id}' (known: {known})")
        return provider

    def policy(self, provider_id: str) -> CallPolicy:
        return self._policies.get(provider_id, CallPolicy())

    def slot(self, provider_id: str) -> asyncio.Semaphore:
        return self._limits.slot(provider_id)

    async def complete(self, provider_id: str, request: ChatRequest, *,
                       on_text: TextSink | None = None) -> str:
        """Send a request prepared by `get(provider_id).prepare`, streaming text to `on_text`."""
        return await stream_completion(self.get(provider_id), request, policy=self.policy(provider_id),
                                       slot=self.slot(provider_id), on_text=on_text)

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
