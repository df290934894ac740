"""SdkProvider: what the SDK-backed text providers share — their Endpoint and profile, one
client created on first use (so a vendor's SDK loads only when that vendor is first called) and
reused for every call, and closing it at shutdown.

Each vendor folder's provider class names its wire protocol (`vendor`) and what its models can
do by default (`default_profile`); a catalogue row names the class, so the class is the vendor.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import ClassVar, Generic, Protocol, TypeVar

from execution.providers.chat import ChatChunk, ChatRequest, Vendor
from execution.providers.endpoint import Endpoint
from execution.providers.profile import ProviderProfile


class _Closable(Protocol):
    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class SdkProvider(abc.ABC, Generic[ClientT]):
    vendor: ClassVar[Vendor]
    default_profile: ClassVar[ProviderProfile]

    def __init__(self, endpoint: Endpoint, profile: ProviderProfile | None = None) -> None:
        self.endpoint = endpoint
        self.profile = profile or self.default_profile
        self._client: ClientT | None = None

    @property
    def provider_id(self) -> str:
        return self.endpoint.provider_id

    def client(self) -> ClientT:
        """The SDK client, created once; NotConfiguredError (naming the variable) before any import."""
        if self._client is None:
            self._client = self._create_client(self.endpoint.require_key(), self.endpoint.require_base_url())
        return self._client

    def prepare(self, request: ChatRequest) -> ChatRequest:
        """See TextProvider.prepare: the default model filled in; the temperature kept only for a
        model that takes one (the profile says which)."""
        model = self.endpoint.model_for(request.model)
        return replace(request, model=model,
                       temperature=request.temperature if self.profile.accepts_sampling(model) else None)

    @abc.abstractmethod
    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        """See TextProvider.stream."""

    @abc.abstractmethod
    def _create_client(self, key: str | None, base_url: str) -> ClientT:
        """Import the SDK and build its client (retries off: our resilience layer retries)."""

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
