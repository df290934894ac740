"""A run's outgoing events: a single-consumer queue that hands over everything queued.

The consumer gets a batch the moment one event is available (no added latency); while it
is busy sending, new events pile up and leave together as the next batch. This is how
one gRPC stream exceeds the per-message ceiling without waiting on a timer.

There is exactly one consumer, so it parks on a bare future rather than an asyncio.Event
(no waiter list to maintain): waking it is one `set_result` per batch, not per event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from execution.events import Event


class EventStream:
    def __init__(self, max_batch: int = 512) -> None:
        self._buffer: list[Event] = []
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._max_batch = max_batch

    def put(self, event: Event) -> None:
        self._buffer.append(event)
        self._wake()

    def close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def batches(self) -> AsyncIterator[list[Event]]:
        while True:
            if not self._buffer:
                if self._closed:
                    return
                waiter = self._waiter = asyncio.get_running_loop().create_future()
                try:
                    await waiter
                finally:
                    self._waiter = None
                continue
            if len(self._buffer) <= self._max_batch:
                batch, self._buffer = self._buffer, []
            else:
                batch, self._buffer = self._buffer[: self._max_batch], self._buffer[self._max_batch :]
            yield batch
