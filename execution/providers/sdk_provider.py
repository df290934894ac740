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
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, Self, TypeVar

from execution.messages import ChatMessage
from execution.prompts.structured_output import schema_instruction
from execution.providers.chat import ChatChunk, ChatRequest, Vendor
from execution.providers.endpoint import Endpoint
from execution.providers.profile import ProviderProfile, StructuredOutput
from execution.providers.vision_messages import VisionMessage

if TYPE_CHECKING:
    from execution.providers.settings import ProviderSettings


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

    @classmethod
    def configured(cls, endpoint: Endpoint, profile: ProviderProfile, settings: ProviderSettings) -> Self:
        """The provider of a catalogue row. A vendor that needs more settings than its Endpoint
        holds reads them here."""
        return cls(endpoint, profile)

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
        model that takes one (the profile says which); for an output schema this provider cannot
        send natively, the instruction asking for it added to the last user message."""
        model = self.endpoint.model_for(request.model)
        prepared = replace(request, model=model,
                           temperature=request.temperature if self.profile.accepts_sampling(model) else None)
        if request.output_schema is not None and self.profile.structured_output is StructuredOutput.INSTRUCT:
            prepared = replace(prepared, messages=with_instruction(prepared.messages,
                                                                   schema_instruction(request.output_schema.schema)))
        return prepared

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


def with_instruction(messages: tuple[ChatMessage, ...], instruction: str) -> tuple[ChatMessage, ...]:
    """`instruction` appended to the last user message (or as a new user message when none)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if message.role == "user":
            content = f"{message.content}\n\n{instruction}"
            extended = (replace(message, content=content, parts=(*message.parts, instruction))
                        if isinstance(message, VisionMessage) else replace(message, content=content))
            return (*messages[:index], extended, *messages[index + 1:])
    return (*messages, ChatMessage("user", instruction))
