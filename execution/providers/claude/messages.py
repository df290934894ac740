"""Our chat messages as a Messages API request: system text apart, the rest as `messages`.

System messages are joined into the top-level `system` text (the Messages API has no system
role). A message with images becomes content blocks, in order: `{"type": "text", "text": …}`
and `{"type": "image", "source": {"type": "base64", "media_type", "data"}}` (plain base64, no
data-URL prefix); any other message keeps its plain string content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from execution.messages import ChatMessage
from execution.providers.vision_messages import image_parts

if TYPE_CHECKING:
    from anthropic.types import MessageParam


def anthropic_messages(messages: Sequence[ChatMessage]) -> tuple[str, list[MessageParam]]:
    """(system text, "" when none; the other messages)."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    return system, [cast("MessageParam", {"role": m.role, "content": anthropic_content(m)})
                    for m in messages if m.role != "system"]


def anthropic_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    parts = image_parts(message)
    if parts is None:
        return message.content
    blocks: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, str):
            blocks.append({"type": "text", "text": part})
        else:
            source = {"type": "base64", "media_type": part.image.mime_type, "data": part.base64()}
            blocks.append({"type": "image", "source": source})
    return blocks
