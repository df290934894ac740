"""ChatMessage: one message of a chat request — what nodes send to a text provider and what a
ProviderCall records as sent."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat request, exactly as sent to the provider."""

    role: str
    content: str
