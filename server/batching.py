"""How a batch of encoded events becomes gRPC messages under a byte budget.

Sizes are exact: an event takes its stored payload, framed (server.run_codec)."""

from __future__ import annotations

from collections.abc import Iterator

from execution.store.base import StoredEvent
from server.run_codec import EVENTS_TAG, varint


def framed_responses(events: list[StoredEvent], budget: int) -> Iterator[bytes]:
    """Serialized responses carrying `events` in order, each within `budget` bytes (an event
    larger than the budget travels alone). Keeps image-heavy batches under the gRPC message limit."""
    parts: list[bytes] = []
    size = 0
    for event in events:
        payload = event.payload
        length = len(payload)
        prefix = varint(length)
        weight = 1 + len(prefix) + length
        if size + weight > budget and parts:
            yield b"".join(parts)
            parts, size = [], 0
        parts += (EVENTS_TAG, prefix, payload)
        size += weight
    yield b"".join(parts)
