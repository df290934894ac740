"""A run's outgoing events: a numbered, single-consumer queue that hands over everything queued,
and holds the run back when its reader falls behind.

The consumer gets a batch the moment one event is available (no added latency); while it
is busy sending, new events pile up and leave together as the next batch. This is how
one gRPC stream exceeds the per-message ceiling without waiting on a timer.

Backpressure. A reader that stops reading (a stalled client; gRPC's own flow control makes
the sending side wait once the peer's window is full) must not make the run buffer without
bound. Above `high_water` queued events the stream is *congested*:
- the scheduler starts no further node until the reader has caught up (`wait_for_reader`);
- a node's consecutive text deltas merge into its last queued delta instead of queueing one
  event per chunk (the reader receives the same text in fewer deltas, each at most
  MAX_MERGED_CHARS long; no text is lost, and the merged delta keeps its place, seq and time
  in the stream).
So what waits for a stalled reader is at most `high_water` events, plus the status and
output events of the nodes already running (a few per node), plus the text those nodes
stream meanwhile (at most their output text, which the run holds anyway).

The stream numbers the events (a merged delta consumes no seq, so seq stays gap-free).
There is exactly one consumer, so it parks on a bare future rather than an asyncio.Event
(no waiter list to maintain): waking it is one `set_result` per batch, not per event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from execution.events import Event, EventBody, TextDelta
from execution.ids import NodeId, RunId

MAX_BATCH = 512
DEFAULT_HIGH_WATER = 4096
# Merged chunks are joined in groups of this many, so a long merge holds few string objects.
_JOIN_EVERY = 256
# A merged delta takes no more than this many characters (≤ 1 MiB of UTF-8: far below any
# sensible message limit); the next chunk opens a new delta.
MAX_MERGED_CHARS = 256 * 1024


class _MergedText:
    """Chunks merged into one queued delta (joined in groups: linear time, few objects)."""

    __slots__ = ("parts", "size", "tail")

    def __init__(self, size: int) -> None:
        self.parts: list[str] = []
        self.tail: list[str] = []
        self.size = size  # characters in the delta, its opening chunk included

    def add(self, chunk: str) -> None:
        self.size += len(chunk)
        tail = self.tail
        tail.append(chunk)
        if len(tail) >= _JOIN_EVERY:
            self.parts.append("".join(tail))
            tail.clear()

    def text(self) -> str:
        return "".join(self.parts) + "".join(self.tail)


class EventStream:
    def __init__(self, run_id: RunId, *, max_batch: int = MAX_BATCH,
                 high_water: int = DEFAULT_HIGH_WATER) -> None:
        self._run_id = run_id
        self._buffer: list[Event] = []
        self._seq = 0
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._max_batch = max_batch
        self._high_water = max(1, high_water)
        # True while more than high_water events are queued; the scheduler checks it per node.
        self.congested = False
        self._caught_up: asyncio.Event | None = None
        # Events handed to the consumer so far: buffer[i] is event number _taken + i.
        self._taken = 0
        # While congested: node → number of its queued delta that later chunks merge into (as
        # long as that delta is the node's latest queued event), and the chunks merged so far.
        self._open_text: dict[NodeId, int] = {}
        self._merged: dict[int, _MergedText] = {}

    def put(self, body: EventBody) -> None:
        self._seq += 1
        self._buffer.append(Event(self._run_id, self._seq, time.time_ns(), body))
        if self._open_text:  # a node's later event closes its open delta
            node_id: NodeId | None = getattr(body, "node_id", None)
            if node_id is not None:
                self._open_text.pop(node_id, None)
        if not self.congested and len(self._buffer) > self._high_water:
            self.congested = True
        self._wake()

    def put_text(self, node_id: NodeId, chunk: str) -> None:
        """Queue a text delta; while congested, merge it into the node's open delta."""
        if self.congested:
            number = self._open_text.get(node_id)
            if number is not None and number >= self._taken:  # still queued
                merged = self._merged.get(number)
                if merged is None:
                    opening = self._buffer[number - self._taken].body
                    assert isinstance(opening, TextDelta)
                    merged = self._merged[number] = _MergedText(len(opening.chunk))
                if merged.size + len(chunk) <= MAX_MERGED_CHARS:
                    merged.add(chunk)
                    return
            self.put(TextDelta(node_id, chunk))
            self._open_text[node_id] = self._taken + len(self._buffer) - 1
            return
        self.put(TextDelta(node_id, chunk))

    async def wait_for_reader(self) -> None:
        """Return once the reader has brought the queue back to high_water or below."""
        if not self.congested:
            return
        if self._caught_up is None:
            self._caught_up = asyncio.Event()
        await self._caught_up.wait()

    def close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def _take(self) -> list[Event]:
        buffer = self._buffer
        if len(buffer) <= self._max_batch:
            batch, self._buffer = buffer, []
        else:
            batch, self._buffer = buffer[: self._max_batch], buffer[self._max_batch :]
        first = self._taken
        self._taken += len(batch)
        if self._merged:
            self._materialise(batch, first)
        if self.congested and len(self._buffer) <= self._high_water:
            self.congested = False
            self._open_text.clear()
            if self._caught_up is not None:
                self._caught_up.set()
                self._caught_up = None
        return batch

    def _materialise(self, batch: list[Event], first: int) -> None:
        """Put the chunks merged into this batch's deltas into their events."""
        end = first + len(batch)
        for number in [n for n in self._merged if n < end]:
            merged = self._merged.pop(number)
            event = batch[number - first]
            body = event.body
            assert isinstance(body, TextDelta)
            batch[number - first] = Event(event.run_id, event.seq, event.time_ns,
                                          TextDelta(body.node_id, body.chunk + merged.text()))

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
            yield self._take()
