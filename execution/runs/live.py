"""LiveRun: a run this process holds (queued or executing) between its events and their readers.

One reader task per run feeds it the run's events (`ingest`): each is encoded once, and the
same bytes go to a bounded in-memory tail (for live watchers) and to the writer's pending
window (for the store). Watchers read the tail by seq; one that is further behind than the
tail reaches reads from the store, so a slow watcher never grows memory. The tail only drops
events the writer has settled (stored, or given up on when the store was unavailable).

The run's record itself may be stored by the writer too, as its first write (`unstored`:
ExecuteFlow's caller is watching, so its first events need not wait for that commit; StartRun
stores the record before it answers). Until that first attempt is over, `created` is clear.

Durability rule: a watcher never receives a node's COMPLETE status, nor the run's last event,
before the write that holds it (and so the node's output, which precedes it) has been
committed. Watchers see events in seq order, so events after such a held event wait with it
(one commit: the writer takes whatever is pending the moment its last commit returns);
everything else is visible as soon as it is ingested. A COMPLETE a client saw thus survives a
crash. When the store fails, held events are released anyway (the run is then marked not
fully stored).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, replace
from functools import partial
from time import time

from execution.engine import PreparedRun
from execution.events import (
    Event,
    NodeOutputProduced,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    RunFailed,
    StatusCounts,
    StatusReason,
    TextDelta,
)
from execution.ids import NodeId
from execution.outputs import NodeOutput
from execution.runs.closing import final_state
from execution.runs.codec import RunCodec
from execution.runs.policy import RunPolicy
from execution.scheduler import FlowRun
from execution.store.base import Fence, NodeRecord, RunRecord, RunState, RunUpdate, StoredEvent

_DROPPED = StoredEvent(0, b"")  # stands in the tail for an event it no longer holds
_RUNNING = NodeStatus.RUNNING
_COMPLETE = NodeStatus.COMPLETE
_TERMINAL = frozenset(status for status in NodeStatus if status.terminal)
_PENDING = NodeStatus.PENDING


def _unstarted(status: NodeStatusChanged) -> bool:
    """A plain PENDING status: what a planned node without a stored row reads as."""
    return status.status is _PENDING and not status.message and status.reason is StatusReason.NONE


@dataclass(frozen=True, slots=True)
class PendingWrite:
    """One `append`: what was ingested since the previous one."""

    events: list[StoredEvent]
    nodes: list[NodeRecord]
    update: RunUpdate


class LiveRun:
    def __init__(self, record: RunRecord, prepared: PreparedRun, codec: RunCodec, policy: RunPolicy, *,
                 stored: bool = True) -> None:
        """`record` is in the store already (`stored`), or the writer's first job."""
        self.run_id = record.run_id
        self.owner = record.owner
        self.record = replace(record, request=b"")  # the store keeps the request
        # The record as the store is to create it (request included) until the writer has.
        self.unstored: RunRecord | None = None if stored else record
        self.created = asyncio.Event()  # the record is stored, or the writer's first try at it is over
        if stored:
            self.created.set()
        self.prepared: PreparedRun | None = prepared  # until it starts
        self.flow_run: FlowRun | None = None
        # The lease this process holds on the run (a store shared by replicas), whether its claim
        # is stored yet (the heartbeat renews only stored claims), and whether it was lost.
        self.fence: Fence | None = None
        self.claimed = False
        self.lease_lost = False
        options = prepared.request.options
        # Provider calls (full prompts, vendors) are what a dry run is for; live, only when allowed.
        self._encode = partial(codec.encode_event, provider_calls=options.dry_run or options.include_provider_calls)
        self._policy = policy
        # Recent events, oldest first, from index _head on (consecutive seqs).
        self._tail: list[StoredEvent] = []
        self._head = 0
        self._tail_bytes = 0
        self.last_seq = record.last_seq
        self.settled_seq = record.last_seq
        # Seqs of ingested events watchers may not see before they are settled (ascending).
        self._held: deque[int] = deque()
        self.ended = False  # the run's last event is ingested
        self.closed = asyncio.Event()  # ... and settled, and the record final
        self.final_state: RunState | None = None
        self.fully_stored = True
        # Watchers waiting for more: each parks on its own future (so that it can time out alone
        # and is woken directly — asyncio.wait would cost every wake-up a loop iteration).
        self._waiting: list[asyncio.Future[bool]] = []
        self._writable: asyncio.Future[None] | None = None
        self._room: asyncio.Future[None] | None = None
        # The writer's pending window: events, each node's last status and its output (turned
        # into one NodeRecord per node when the writer takes them), fields of the run's record.
        self._pending: list[StoredEvent] = []
        self._pending_bytes = 0
        self._statuses: dict[NodeId, NodeStatusChanged] = {}
        self._outputs: dict[NodeId, NodeOutput] = {}
        self._update: dict[str, object] = {}
        # Nodes with a stored row: a node's first PENDING status is not written (a planned node
        # without a row reads as PENDING), so a node's row is written when it starts.
        self._stored_nodes: set[NodeId] = set()
        self._tally = dict.fromkeys(NodeStatus, 0)

    # -- the reader's side ----------------------------------------------------------------

    def mark_started(self) -> None:
        """The run leaves the queue (the next write says so)."""
        now = time()
        self.record = replace(self.record, state=RunState.RUNNING, started_at=now)
        self._update.update(state=RunState.RUNNING, started_at=now)
        self._wake_writer()

    def add_cached(self, outputs: dict[NodeId, NodeOutput]) -> None:
        """Record the cached outputs that feed the run (GetRun shows them; ResumeRun reuses them)."""
        for node_id, output in outputs.items():
            self._statuses[node_id] = NodeStatusChanged(node_id, NodeStatus.COMPLETE)
            self._outputs[node_id] = output

    def ingest(self, events: list[Event]) -> None:
        if not events:
            return
        visible = self.visible_seq
        encode = self._encode
        encoded = [StoredEvent(event.seq, encode(event)) for event in events]
        self._tail += encoded
        self._pending += encoded
        added = sum([len(payload) for _, payload in encoded])
        statuses, held = self._statuses, self._held
        for event in events:
            body = event.body
            kind = type(body)
            if kind is TextDelta:
                continue
            if kind is NodeStatusChanged:
                statuses[body.node_id] = body  # type: ignore[union-attr,assignment]
                status = body.status  # type: ignore[union-attr]
                if status is not _RUNNING and status in _TERMINAL:
                    self._tally[status] += 1
                    if status is _COMPLETE:
                        held.append(event.seq)
            elif kind is NodeOutputProduced:
                self._outputs[body.node_id] = body.output  # type: ignore[union-attr]
            elif kind is RunCompleted or kind is RunFailed:
                self.ended = True
                held.append(event.seq)
                self.final_state = final_state(self.counts, failed=kind is RunFailed)
                self.record = replace(self.record, state=self.final_state, finished_at=event.time_ns / 1e9)
                self._update.update(state=self.final_state, finished_at=self.record.finished_at)
        self._tail_bytes += added
        self._pending_bytes += added
        self.last_seq = events[-1].seq
        self._trim()
        if self.visible_seq != visible:
            self._notify()
        self._wake_writer()

    def has_room(self) -> bool:
        policy = self._policy
        return len(self._pending) < policy.pending_events and self._pending_bytes < policy.pending_bytes

    async def wait_for_room(self) -> None:
        while not self.has_room():
            self._room = asyncio.get_running_loop().create_future()
            await self._room

    @property
    def counts(self) -> StatusCounts:
        tally = self._tally
        return StatusCounts(complete=tally[NodeStatus.COMPLETE], error=tally[NodeStatus.ERROR],
                            skipped=tally[NodeStatus.SKIPPED], cancelled=tally[NodeStatus.CANCELLED])

    # -- the writer's side ----------------------------------------------------------------

    def take_write(self) -> PendingWrite | None:
        """Everything pending, as one write; None when there is nothing to write."""
        if not self._pending and not self._statuses and not self._outputs and not self._update:
            return None
        events, cap = self._pending, self._policy.write_batch_events
        more = len(events) > cap  # a write of at most `cap` events; the rest follow it
        if more:
            events, self._pending = events[:cap], events[cap:]
            self._pending_bytes -= sum([len(payload) for _, payload in events])
        else:
            self._pending, self._pending_bytes = [], 0
        statuses, outputs, self._statuses, self._outputs = self._statuses, self._outputs, {}, {}
        stored = self._stored_nodes
        nodes = [NodeRecord(node_id, status.status, status.reason, status.message, status.retryable,
                            outputs.pop(node_id, None)) for node_id, status in statuses.items()
                 if node_id in stored or not _unstarted(status) or node_id in outputs]
        stored.update([record.node_id for record in nodes])
        # An output whose node's status is in an earlier write (it is RUNNING: its COMPLETE follows).
        nodes += [NodeRecord(node_id, NodeStatus.RUNNING, output=output) for node_id, output in outputs.items()]
        fields, self._update = self._update, {}
        if more and isinstance(state := fields.get("state"), RunState) and state.finished:
            # The run's end is stored with its last events, not before them.
            self._update = {key: fields.pop(key) for key in ("state", "finished_at") if key in fields}
        if events:
            fields.update(last_seq=events[-1].seq, counts=self.counts)
        if not self.fully_stored:
            fields["fully_stored"] = False
        return PendingWrite(events, nodes, RunUpdate(**fields))  # type: ignore[arg-type]

    async def wait_for_writes(self) -> None:
        if self._pending or self._statuses or self._outputs or self._update:
            return
        self._writable = asyncio.get_running_loop().create_future()
        await self._writable

    def settle(self, write: PendingWrite, stored: bool) -> None:
        """`write` was committed (stored) or failed: either way its held events may now be seen."""
        if not stored:
            self.fully_stored = False
        if write.events:
            visible = self.visible_seq
            self.settled_seq = write.events[-1].seq
            held = self._held
            while held and held[0] <= self.settled_seq:
                held.popleft()
            self._trim()
            if self.visible_seq != visible:
                self._notify()
        room = self._room
        if room is not None and not room.done() and self.has_room():
            self._room = None
            room.set_result(None)

    @property
    def settled(self) -> bool:
        """The run has ended and everything it ingested is settled."""
        return self.ended and self.settled_seq >= self.last_seq

    def close(self) -> None:
        self.closed.set()
        self._notify()

    # -- the watchers' side ---------------------------------------------------------------

    @property
    def visible_seq(self) -> int:
        """Watchers may see events up to this seq."""
        return self._held[0] - 1 if self._held else self.last_seq

    def events_after(self, seq: int) -> list[StoredEvent] | None:
        """Visible events after `seq` from the tail (at most a watch batch, in count and bytes); None
        when the tail no longer reaches back to seq + 1 (read those from the store)."""
        visible = self.visible_seq
        if seq >= visible:
            return []
        tail, head = self._tail, self._head
        first = tail[head].seq if head < len(tail) else self.last_seq + 1
        if seq + 1 < first:
            return None
        start = head + seq + 1 - first
        stop = min(start + self._policy.watch_batch_events, head + visible - first + 1)
        budget, end = self._policy.watch_batch_bytes, start
        while end < stop and (budget > 0 or end == start):
            budget -= len(tail[end].payload)
            end += 1
        return tail[start:end]

    @property
    def tail_start(self) -> int:
        """Seq of the oldest event the tail holds (last_seq + 1 when it holds none)."""
        return self._tail[self._head].seq if self._head < len(self._tail) else self.last_seq + 1

    async def wait(self, timeout: float) -> bool:
        """Until more events are visible or the run closes (True), or `timeout` seconds (False)."""
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        timer = waiter.get_loop().call_later(timeout, _resolve, waiter, False)
        self._waiting.append(waiter)
        try:
            return await waiter
        finally:
            timer.cancel()
            if waiter in self._waiting:  # timed out or cancelled (a notified waiter is gone already)
                self._waiting.remove(waiter)

    # -- internals ------------------------------------------------------------------------

    def _trim(self) -> None:
        tail, head, policy, settled = self._tail, self._head, self._policy, self.settled_seq
        while (head < len(tail) and tail[head].seq <= settled
               and (len(tail) - head > policy.tail_events or self._tail_bytes > policy.tail_bytes)):
            self._tail_bytes -= len(tail[head].payload)
            tail[head] = _DROPPED  # its payload is freed now, not at the next compaction
            head += 1
        if head > 1024 and head * 2 > len(tail):
            del tail[:head]
            head = 0
        self._head = head

    def _notify(self) -> None:
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            _resolve(waiter, True)

    def _wake_writer(self) -> None:
        writable, self._writable = self._writable, None
        if writable is not None and not writable.done():
            writable.set_result(None)


def _resolve(waiter: asyncio.Future[bool], value: bool) -> None:
    if not waiter.done():
        waiter.set_result(value)
