"""Chat messages that carry images, before any vendor sees them.

VisionMessage extends the engine's ChatMessage with `parts` (text and images, in order).
Its `content` is the text rendering — images as "[image: image/jpeg 1024×768, 181,233 bytes]"
placeholders — so dry runs, ProviderCall records and the server's conversion see a plain
ChatMessage, while a provider that supports images sends the parts in its own format (each
vendor folder's `messages.py`).

Images must already fit the provider's image policy (its profile) before they get here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from execution.data_urls import base64_text
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

    def base64(self) -> str:
        """The image's bytes as base64 text, the form every vendor's JSON carries them in."""
        return base64_text(self.image.data)


Part = str | ImagePart


@dataclass(frozen=True, slots=True)
class VisionMessage(ChatMessage):
    parts: tuple[Part, ...] = ()


def vision_message(role: str, parts: Sequence[Part]) -> VisionMessage:
    """A message from parts; empty text parts are dropped."""
    kept = tuple(p for p in parts if not (isinstance(p, str) and not p.strip()))
    content = "\n\n".join(p if isinstance(p, str) else p.placeholder() for p in kept)
    return VisionMessage(role=role, content=content, parts=kept)


def image_parts(message: ChatMessage) -> tuple[Part, ...] | None:
    """The message's parts when it carries an image; None when its `content` says it all."""
    parts = getattr(message, "parts", None)
    return parts if parts and any(isinstance(p, ImagePart) for p in parts) else None
