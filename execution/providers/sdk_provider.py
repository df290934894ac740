"""SdkProvider: what the SDK-backed text providers share — their Endpoint, one client
created on first use (so a vendor's SDK loads only when that vendor is first called) and
reused for every call, and closing it at shutdown."""

from __future__ import annotations

import abc
from typing import Generic, Protocol, TypeVar

from execution.providers.chat import Vendor
from execution.providers.endpoint import Endpoint


class _Closable(Protocol):
    async def close(self) -> None: ...


ClientT = TypeVar("ClientT", bound=_Closable)


class SdkProvider(abc.ABC, Generic[ClientT]):
    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._client: ClientT | None = None

    @property
    def provider_id(self) -> str:
        return self.endpoint.provider_id

    @property
    def vendor(self) -> Vendor:
        if self.endpoint.vendor is None:  # only image vendors' endpoints name no chat protocol
            raise TypeError(f"provider '{self.provider_id}' has an endpoint without a chat protocol")
        return self.endpoint.vendor

    def client(self) -> ClientT:
        """The SDK client, created once; NotConfiguredError (naming the variable) before any import."""
        if self._client is None:
            self._client = self._create_client(self.endpoint.require_key(), self.endpoint.require_base_url())
        return self._client

    @abc.abstractmethod
    def _create_client(self, key: str | None, base_url: str) -> ClientT:
        """Import the SDK and build its client (retries off: our resilience layer retries)."""

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()
