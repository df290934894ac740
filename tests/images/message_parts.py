"""What a vendor received: the images and texts in one chat message as the fake recorded it."""

from __future__ import annotations

import base64
from typing import Any


def openai_images(message: dict[str, Any]) -> list[bytes]:
    """Images in an OpenAI-compatible message's content parts, decoded from their data URLs."""
    urls = [p["image_url"]["url"] for p in message["content"] if p["type"] == "image_url"]
    assert all(u.startswith(("data:image/jpeg;base64,", "data:image/png;base64,")) for u in urls)
    return [base64.b64decode(u.split(",", 1)[1]) for u in urls]


def anthropic_images(message: dict[str, Any]) -> list[bytes]:
    """Images in an Anthropic message's image blocks, decoded."""
    blocks = [b for b in message["content"] if b["type"] == "image"]
    assert all(b["source"]["type"] == "base64" and not b["source"]["data"].startswith("data:") for b in blocks)
    return [base64.b64decode(b["source"]["data"]) for b in blocks]


def texts(message: dict[str, Any]) -> list[str]:
    return [p["text"] for p in message["content"] if p["type"] == "text"]
