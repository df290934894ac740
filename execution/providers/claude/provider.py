"""ClaudeProvider: an Endpoint plus a lazily created, reused `AsyncAnthropic` client; the
request and stream are the Messages API's (claude/messages_api.py).

SDK retries are off (max_retries=0): execution.providers.resilience decides. The key is
always passed explicitly, so the SDK never falls back to its own environment or profile
lookup.

Temperature: the SDK's default API version refuses it, so `prepare` keeps it only for a model
the profile says takes one (claude/profile.py), and such a request is sent on the API version
that accepts it, with the temperature in the body; every other request carries none. A dry run
shows exactly that. The stream format is the same on both versions.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from execution.providers.chat import ChatRequest, Vendor
from execution.providers.claude.errors import anthropic_errors
from execution.providers.claude.messages_api import DEFAULT_MAX_TOKENS, MessagesApiProvider
from execution.providers.claude.profile import SAMPLING_API_VERSION

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

__all__ = ["DEFAULT_MAX_TOKENS", "ClaudeProvider"]


class ClaudeProvider(MessagesApiProvider["AsyncAnthropic"]):
    vendor = Vendor("anthropic")

    def _create_client(self, key: str | None, base_url: str) -> AsyncAnthropic:
        import httpx2
        from anthropic import AsyncAnthropic, DefaultAioHttpClient

        pool = self.endpoint.max_connections
        http_client = DefaultAioHttpClient(
            limits=httpx2.Limits(max_connections=pool, max_keepalive_connections=pool))
        return AsyncAnthropic(api_key=key, base_url=base_url, max_retries=0, timeout=self.endpoint.timeout,
                              http_client=http_client)

    def _errors(self) -> AbstractContextManager[None]:
        return anthropic_errors(self.endpoint)

    def _version(self, request: ChatRequest) -> tuple[Mapping[str, str] | None, dict[str, Any]]:
        if request.temperature is None:
            return None, {}
        return {"anthropic-version": SAMPLING_API_VERSION}, {"temperature": request.temperature}
