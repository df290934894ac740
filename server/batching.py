"""How a batch of encoded events is cut into gRPC messages under a byte budget.

Sizes are exact: an event is its stored payload, framed (server.run_codec.framed_size)."""

from __future__ import annotations

from collections.abc import Iterator

from execution.store.base import StoredEvent
from server.run_codec import framed_size


def split_by_size(events: list[StoredEvent], budget: int) -> Iterator[list[StoredEvent]]:
    """`events` cut into consecutive runs whose framed size stays within `budget` bytes (an
    event larger than the budget travels alone). Keeps image-heavy batches under the gRPC
    message limit."""
    start, size = 0, 0
    for i, event in enumerate(events):
        weight = framed_size(event)
        if size + weight > budget and i > start:
            yield events[start:i]
            start, size = i, 0
        size += weight
    yield events[start:]
