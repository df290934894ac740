"""Chat messages that carry images, and how each vendor wants them on the wire.

VisionMessage extends the engine's ChatMessage with `parts` (text and images, in order).
Its `content` is the text rendering — images as "[image: image/jpeg 1024×768, 181,233 bytes]"
placeholders — so dry runs, ProviderCall records and the server's conversion see a plain
ChatMessage, while a provider that supports images sends the parts:

- OpenAI-compatible: `{"type": "image_url", "image_url": {"url": "data:<mime>;base64,…"}}`
  and `{"type": "text", "text": …}` content parts;
- Anthropic: `{"type": "image", "source": {"type": "base64", "media_type", "data"}}` blocks
  (base64 without the data-URL prefix) and `{"type": "text", "text": …}` blocks.

Images must already fit the vendor's policy (execution.images.policy) before they get here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execution.data_urls import base64_text, data_url
from execution.messages import ChatMessage
from execution.outputs import Image


@dataclass(frozen=True, slots=True)
class ImagePart:
    image: Image
    width: int = 0
    height: int = 0

    def placeholder(self) -> str:
        size = f" {self.width}×{self.height}," if self.width and self.height else ""
        return f"[image: {self.image.mime_type}{size} {len(self.image.data):,} bytes]"


Part = str | ImagePart


@dataclass(frozen=True, slots=True)
class VisionMessage(ChatMessage):
    parts: tuple[Part, ...] = ()


def vision_message(role: str, parts: Sequence[Part]) -> VisionMessage:
    """A message from parts; empty text parts are dropped."""
    kept = tuple(p for p in parts if not (isinstance(p, str) and not p.strip()))
    content = "\n\n".join(p if isinstance(p, str) else p.placeholder() for p in kept)
    return VisionMessage(role=role, content=content, parts=kept)


def _parts(message: ChatMessage) -> tuple[Part, ...] | None:
    parts = getattr(message, "parts", None)
    return parts if parts and any(isinstance(p, ImagePart) for p in parts) else None


def openai_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """`content` for an OpenAI-compatible chat message."""
    parts = _parts(message)
    if parts is None:
        return message.content
    return [
        {"type": "text", "text": p} if isinstance(p, str)
        else {"type": "image_url", "image_url": {"url": data_url(p.image)}}
        for p in parts
    ]


def anthropic_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    """`content` for an Anthropic Messages API message."""
    parts = _parts(message)
    if parts is None:
        return message.content
    return [
        {"type": "text", "text": p} if isinstance(p, str)
        else {"type": "image", "source": {"type": "base64", "media_type": p.image.mime_type,
                                          "data": base64_text(p.image.data)}}
        for p in parts
    ]
