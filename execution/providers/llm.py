"""LlmProviders: this process's text providers by id, each with its call policy, sharing one
set of per-provider concurrency limits across every run; `call` prepares a ChatCall.

Built once from ProviderSettings (Services.from_env) and the provider table (catalog.py); a
provider whose key is missing is still listed — resolving it and preparing a call work (dry
runs need that), only sending fails, with a NotConfiguredError naming the variable.
"""

from __future__ import annotations

from collections.abc import Mapping

from execution.errors import InvalidNodeInput
from execution.providers.call import ChatCall
from execution.providers.catalog import LLM_PROVIDERS, provider_for
from execution.providers.chat import ChatRequest, TextProvider
from execution.providers.resilience import CallPolicy, ConcurrencyLimits
from execution.providers.settings import ProviderSettings


class LlmProviders:
    def __init__(self, providers: Mapping[str, TextProvider], policies: Mapping[str, CallPolicy],
                 limits: ConcurrencyLimits) -> None:
        self._providers = dict(providers)
        self._policies = dict(policies)
        self._limits = limits

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> LlmProviders:
        providers: dict[str, TextProvider] = {spec.provider_id: provider_for(spec, settings)
                                              for spec in LLM_PROVIDERS}
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

    def call(self, provider_id: str, request: ChatRequest, *, purpose: str = "") -> ChatCall:
        """`request` prepared by the provider (so it shows what is sent), ready to dry-run or send."""
        provider = self.get(provider_id)
        return ChatCall(provider, provider.prepare(request), purpose,
                        self._policies.get(provider_id, CallPolicy()), self._limits.slot(provider_id))

    async def aclose(self) -> None:
        for provider in self._providers.values():
            await provider.aclose()
