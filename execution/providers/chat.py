"""Our own chat types: the request we send, the chunks we stream back, and what a text
provider must offer. Vendor adapters translate into these; nothing above this layer sees an
SDK type.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import NewType, Protocol

from execution.messages import ChatMessage
from execution.outputs import NO_USAGE, TokenUsage
from execution.providers.output_schema import OutputSchema
from execution.providers.profile import ProviderProfile

# Which wire protocol (and SDK) a provider speaks, named by its vendor folder's provider class
# ("openai_compatible", "anthropic"), so a new vendor needs no change here.
Vendor = NewType("Vendor", str)


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion request. `model` empty = the provider's default; `temperature`
    None = the provider's default (and, after `prepare`, "not sent"). With `output_schema` the
    reply is a JSON object meant to fit it, by the provider's StructuredOutput mechanism; its
    text (the JSON) streams like any other."""

    messages: tuple[ChatMessage, ...]
    model: str = ""
    temperature: float | None = None
    max_tokens: int = 0
    output_schema: OutputSchema | None = None


@dataclass(frozen=True, slots=True)
class ChatChunk:
    """A piece of streamed output. The last chunk of a complete stream carries `finish_reason`;
    a chunk with `usage` carries the tokens the whole call used so far, as the vendor reported
    them (a later one replaces an earlier one)."""

    text: str = ""
    finish_reason: str | None = None
    usage: TokenUsage | None = None


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished chat: its whole text and the tokens it used (none known: NO_USAGE)."""

    text: str
    usage: TokenUsage = NO_USAGE


class TextProvider(Protocol):
    """A configured LLM endpoint: owns its credentials, base URL and (lazily) its SDK client."""

    @property
    def provider_id(self) -> str: ...

    @property
    def profile(self) -> ProviderProfile:
        """What its models can do (prompt dialect, image policy, vision model, sampling); callers
        read this instead of branching on the vendor or the class."""
        ...

    def prepare(self, request: ChatRequest) -> ChatRequest:
        """The request exactly as it would be sent: default model filled in, parameters the
        model does not accept (its profile says which) dropped. Needs no key (dry runs use it).
        Raises NotConfiguredError when no model can be chosen."""
        ...

    def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        """Send a prepared request and stream the reply. Raises only our NodeError family;
        raises NotConfiguredError (naming the variable) when the key is missing. Closing the
        iterator early closes the HTTP response."""
        ...

    async def aclose(self) -> None:
        """Release the SDK client (connection pool), if one was created."""
        ...
