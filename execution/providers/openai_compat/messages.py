"""Our chat messages as chat.completions `messages`.

A message with images becomes content parts, in order: `{"type": "text", "text": …}` and
`{"type": "image_url", "image_url": {"url": "data:<mime>;base64,…"}}`; any other message keeps
its plain string content.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from execution.data_urls import data_url
from execution.messages import ChatMessage
from execution.providers.vision_messages import image_parts

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam


def openai_messages(messages: Sequence[ChatMessage]) -> list[ChatCompletionMessageParam]:
    return [cast("ChatCompletionMessageParam", {"role": m.role, "content": openai_content(m)}) for m in messages]


def openai_content(message: ChatMessage) -> str | list[dict[str, Any]]:
    parts = image_parts(message)
    if parts is None:
        return message.content
    return [{"type": "text", "text": part} if isinstance(part, str) else
            {"type": "image_url", "image_url": {"url": data_url(part.image)}}
            for part in parts]
