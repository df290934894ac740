"""WatchRun's domain side: a run's events after a seq — from the store, then live — gap-free.

A watch holds its run's LiveRun from the start (that is its subscription) and walks a cursor
through seqs: events the tail still holds come from memory, older ones from the store, so
there is no window between "read what is stored" and "attach to the live tail" in which an
event could be missed or sent twice. A watcher that falls behind the tail simply reads from
the store again; what it costs in memory is the one batch it is sending. A batch is the
consumer's once yielded: it may empty it (the servicer does, once it has framed it).

A quiet watch yields an empty batch every `watch_keepalive_seconds` (a keepalive: gateways cut
streams that stay silent).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from execution.ids import RunId
from execution.runs.errors import EventsLost
from execution.runs.live import LiveRun
from execution.runs.policy import RunPolicy
from execution.store.base import RunRecord, RunStore, StoredEvent

# How often a watch of a run that is unfinished but not live here looks again (at the latest:
# with replicas sharing PostgreSQL, a notification of the run's new events wakes it sooner).
POLL_SECONDS = 0.5


async def _sleep(run_id: RunId, seconds: float) -> object:
    await asyncio.sleep(seconds)
    return False


# Waits up to the given seconds, or until the run's new events are announced.
Wake = Callable[[RunId, float], Awaitable[object]]


async def watch_live(live: LiveRun, store: RunStore, after_seq: int, policy: RunPolicy) -> AsyncIterator[list[StoredEvent]]:
    cursor = after_seq
    replay = _Replay(store, live.run_id, policy)
    keepalive = policy.watch_keepalive_seconds
    while True:
        batch = live.events_after(cursor)
        if batch is None:  # behind the tail
            batch = await replay.read(cursor, upto=live.tail_start - 1)
        if batch:
            cursor = batch[-1].seq  # before the yield: the consumer may empty the batch (servicer)
            yield batch
            continue
        # Ends once the run is closed (its last write committed, its state final), not merely
        # ended: a watch from beyond the last seq must not end before the run's state is stored.
        if live.closed.is_set() and cursor >= live.last_seq:
            return
        if not await live.wait(keepalive):
            yield []


async def watch_stored(record: RunRecord, store: RunStore, after_seq: int, policy: RunPolicy,
                       live_now: Callable[[], LiveRun | None], wake: Wake = _sleep) -> AsyncIterator[list[StoredEvent]]:
    """A run that is not live in this process: finished (replay, then end), or unfinished
    elsewhere (replay, then look again — when woken, or after a poll period — until it is live
    here or finished)."""
    cursor = after_seq
    replay = _Replay(store, record.run_id, policy)
    quiet = 0.0
    while True:
        finished = record.state.finished
        while cursor < record.last_seq or not finished:
            batch = await replay.read(cursor, upto=record.last_seq if finished else None)
            if not batch:
                break
            cursor = batch[-1].seq
            yield batch
        if finished:
            return
        live = live_now()
        if live is not None:
            async for batch in watch_live(live, store, cursor, policy):
                yield batch
            return
        started = asyncio.get_running_loop().time()
        await wake(record.run_id, POLL_SECONDS)
        quiet += asyncio.get_running_loop().time() - started
        if quiet >= policy.watch_keepalive_seconds:
            quiet = 0.0
            yield []
        record = await store.get_run(record.run_id) or record


class _Replay:
    def __init__(self, store: RunStore, run_id: RunId, policy: RunPolicy) -> None:
        self._store = store
        self._run_id = run_id
        self._most = policy.watch_batch_events
        self._limit = self._most
        self._bytes = policy.watch_batch_bytes

    async def read(self, cursor: int, upto: int | None) -> list[StoredEvent]:
        """The stored events after `cursor` (up to `upto`, which must all be there: else EventsLost)."""
        limit = self._limit if upto is None else min(self._limit, upto - cursor)
        if limit <= 0:
            return []
        events = await self._store.read_events(self._run_id, cursor, limit)
        if upto is not None and (not events or events[-1].seq - cursor != len(events)):
            events = self._contiguous(cursor, upto, events)
        # Read fewer events at once when they are large (images), more when they are small.
        size = sum(len(e.payload) for e in events)
        if size > self._bytes and self._limit > 1:
            self._limit = max(1, self._limit * self._bytes // size)
        elif size < self._bytes // 4:
            self._limit = min(self._most, self._limit * 2)
        return events

    def _contiguous(self, cursor: int, upto: int, events: list[StoredEvent]) -> list[StoredEvent]:
        """The events up to the first gap; EventsLost when the gap comes first."""
        first = next((i for i, e in enumerate(events) if e.seq != cursor + 1 + i), len(events))
        if first:
            return events[:first]
        start = cursor + 1
        end = events[0].seq - 1 if events else upto
        raise EventsLost(f"events {start}–{end} of run {self._run_id} were not stored (the run store was "
                         f"unavailable); watch from after_seq {end} for the rest")
