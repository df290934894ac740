"""What nodes produce: NodeOutput and the values inside it (images, provider calls)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from execution.messages import ChatMessage


@dataclass(frozen=True, slots=True)
class Image:
    """An encoded image: raw bytes plus their media type (never a data URL)."""

    data: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class ProviderCall:
    """A call a node made, or under dry run would make, to an AI provider."""

    provider_id: str
    model: str
    purpose: str
    messages: tuple[ChatMessage, ...]
    temperature: float = 0.0
    max_tokens: int = 0


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens LLM calls used, as their providers reported them."""

    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens)

    def __bool__(self) -> bool:
        return bool(self.input_tokens or self.output_tokens)


NO_USAGE = TokenUsage()


@dataclass(frozen=True, slots=True)
class NodeOutput:
    """A node's result; empty strings mean "not set", as in the editor's NodeOutput.

    `values` are its named outputs (JSON values by output name; execution.values): an edge whose
    source handle names one carries that value. A routing node (case, flow_select) holds only
    the output it took: an edge from any other of its outputs is not taken.
    """

    text: str = ""
    image: Image | None = None
    persona_name: str = ""
    persona_description: str = ""
    replace_prompt: str = ""
    injected_prompt: str = ""
    duration_ms: int = 0
    # Not computed in this run: from the request's cached outputs, or from the server's cache.
    cached: bool = False
    dry_run: bool = False
    provider_calls: tuple[ProviderCall, ...] = field(default=())
    # The seed an image was generated with (None: no image, or a vendor that takes no seed): set
    # it as the node's seed to generate the same image again.
    seed: int | None = None
    # Summed over the node's provider calls; nothing under dry run.
    usage: TokenUsage = NO_USAGE
    values: Mapping[str, Any] = field(default_factory=dict)
    # Every image of a node that makes several (image_generation), in order; `image` is the
    # first. Empty for a node of one image (or none).
    images: tuple[Image, ...] = ()
