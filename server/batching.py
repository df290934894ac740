"""How a batch of events is cut into gRPC messages: a cheap size estimate per event, and
consecutive runs of events whose estimate stays under a byte budget."""

from __future__ import annotations

from collections.abc import Iterator

from execution.events import Event, NodeOutputProduced, RunCompleted, TextDelta


def approx_size(event: Event) -> int:
    """A cheap upper-bound-ish estimate of an event's encoded size, for splitting batches."""
    body = event.body
    if isinstance(body, NodeOutputProduced):
        out = body.output
        size = 64 + len(out.text) + len(out.persona_description) + len(out.replace_prompt) + len(out.injected_prompt)
        size += sum(len(m.content) + 32 for c in out.provider_calls for m in c.messages)
        return size + (len(out.image.data) if out.image is not None else 0)
    if isinstance(body, TextDelta):
        return 64 + len(body.chunk)
    if isinstance(body, RunCompleted):
        return 64 + sum(approx_size(Event(event.run_id, 0, 0, NodeOutputProduced(n, o))) -
                        (len(o.image.data) if o.image is not None else 0) for n, o in body.outputs.items())
    return 96


def split_by_size(events: list[Event], budget: int) -> Iterator[list[Event]]:
    """`events` cut into consecutive runs whose estimated size stays within `budget` bytes
    (an event larger than the budget travels alone). Keeps image-heavy batches under the
    gRPC message limit."""
    start, size = 0, 0
    for i, event in enumerate(events):
        weight = approx_size(event)
        if size + weight > budget and i > start:
            yield events[start:i]
            start, size = i, 0
        size += weight
    yield events[start:]
