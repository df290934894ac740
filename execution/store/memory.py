"""MemoryRunStore: the run store with persistence off — runs live as long as the process.

Same semantics as the SQL stores (execution.store.base): ownership filters, idempotency keys
per owner, newest-first cursor paging, outputs kept when a later record has none, images
stored once by content hash and read back without bytes unless asked for. Memory is bounded
by retention (`delete_finished_before`) and, as a safety net, by `max_bytes`: past it the
oldest finished runs are dropped first (live runs never are).
"""

from __future__ import annotations

import bisect
import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import accumulate

from execution.ids import NodeId, RunId
from execution.outputs import Image
from execution.store.base import (
    Fence,
    NodeRecord,
    PageCursor,
    RunRecord,
    RunState,
    RunStore,
    RunUpdate,
    StoredEvent,
    StoreUnavailable,
)

_UPDATE_FIELDS = tuple(f.name for f in fields(RunUpdate))
# What one stored event costs beside its payload (its seq and end offset), so that max_bytes
# means memory.
EVENT_OVERHEAD = 16


class _EventLog:
    """A run's events, packed: the payloads end to end in one buffer, their seqs and end offsets
    in arrays — 16 bytes per event beside its payload, where an object per event would cost
    ~140 and make a long run's memory depend on the allocator."""

    __slots__ = ("blob", "ends", "seqs")

    def __init__(self, events: Sequence[StoredEvent] = ()) -> None:
        self.blob = bytearray()
        self.ends = array("Q")
        self.seqs = array("Q")
        self.add(events)

    def __contains__(self, seq: int) -> bool:
        at = bisect.bisect_left(self.seqs, seq)
        return at < len(self.seqs) and self.seqs[at] == seq

    def add(self, events: Sequence[StoredEvent]) -> None:
        seqs = self.seqs
        if seqs and any(e.seq < seqs[-1] for e in events):  # out of order: rebuild (never on the live path)
            rebuilt = _EventLog(sorted([*self.after(-1, len(seqs)), *events], key=lambda e: e.seq))
            self.blob, self.ends, self.seqs = rebuilt.blob, rebuilt.ends, rebuilt.seqs
            return
        ends = accumulate([len(event.payload) for event in events], initial=len(self.blob))
        next(ends)  # the initial value: where the new payloads start
        self.ends.extend(ends)
        self.blob += b"".join([event.payload for event in events])
        seqs.extend([event.seq for event in events])

    def after(self, seq: int, limit: int) -> list[StoredEvent]:
        first = bisect.bisect_right(self.seqs, seq)
        last = min(len(self.seqs), first + max(0, limit))
        events, ends, seqs = [], self.ends, self.seqs
        start = ends[first - 1] if first else 0
        with memoryview(self.blob) as view:
            for i in range(first, last):
                end = ends[i]
                events.append(StoredEvent(seqs[i], bytes(view[start:end])))
                start = end
        return events


@dataclass(slots=True)
class _Run:
    record: RunRecord
    events: _EventLog = field(default_factory=_EventLog)
    # Node records with image bytes stripped; the image's hash beside them.
    nodes: dict[NodeId, NodeRecord] = field(default_factory=dict)
    image_of: dict[NodeId, str] = field(default_factory=dict)
    size: int = 0


class MemoryRunStore(RunStore):
    def __init__(self, *, max_bytes: int | None = None) -> None:
        self._runs: dict[RunId, _Run] = {}
        self._keys: dict[tuple[str, str], RunId] = {}
        self._images: dict[str, bytes] = {}
        self._image_refs: dict[str, int] = {}
        self._max_bytes = max_bytes
        self._bytes = 0
        self._closed = False

    @property
    def size_bytes(self) -> int:
        """Bytes held, about: requests, events and images (each image once)."""
        return self._bytes + sum(len(data) for data in self._images.values())

    async def create_run(self, run: RunRecord) -> RunRecord:
        self._check_open()
        if run.idempotency_key is not None:
            existing = self._keys.get((run.owner, run.idempotency_key))
            if existing is not None:
                return self._runs[existing].record
            self._keys[(run.owner, run.idempotency_key)] = run.run_id
        if run.run_id in self._runs:
            raise ValueError(f"run {run.run_id} exists")
        self._runs[run.run_id] = _Run(run)
        self._grow(self._runs[run.run_id], len(run.request))
        return run

    async def update_run(self, run_id: RunId, update: RunUpdate) -> None:
        self._check_open()
        stored = self._get(run_id)
        stored.record = _apply(stored.record, update)

    async def append(self, run_id: RunId, events: Sequence[StoredEvent], nodes: Sequence[NodeRecord],
                     update: RunUpdate | None = None, *, create: RunRecord | None = None,
                     fence: Fence | None = None) -> None:
        self._check_open()  # one process owns a memory store: no fence to check
        if create is None:
            self._append(run_id, events, nodes, update)
            return
        if create.run_id != run_id or create.idempotency_key is not None:
            raise ValueError("append creates only the run it appends to, without idempotency key")
        await self.create_run(create)
        try:
            self._append(run_id, events, nodes, update)
        except BaseException:  # one transaction: the run goes with the batch
            self._delete(run_id)
            raise

    def _append(self, run_id: RunId, events: Sequence[StoredEvent], nodes: Sequence[NodeRecord],
                update: RunUpdate | None) -> None:
        stored = self._get(run_id)
        log = stored.events
        if not _follows(log, events):  # all checked before anything changes: one transaction
            seqs: set[int] = set()
            for event in events:
                if event.seq in seqs or event.seq in log:
                    raise ValueError(f"run {run_id} already has an event with seq {event.seq}")
                seqs.add(event.seq)
        log.add(events)
        added = sum(len(event.payload) for event in events) + EVENT_OVERHEAD * len(events)
        for node in nodes:
            self._put_node(stored, node)
        if update is not None:
            stored.record = _apply(stored.record, update)
        self._grow(stored, added)

    async def get_run(self, run_id: RunId, owner: str | None = None) -> RunRecord | None:
        self._check_open()
        stored = self._runs.get(run_id)
        if stored is None or (owner is not None and stored.record.owner != owner):
            return None
        return stored.record

    async def get_nodes(self, run_id: RunId, *, include_images: bool = False) -> list[NodeRecord]:
        self._check_open()
        stored = self._runs.get(run_id)
        if stored is None:
            return []
        order = {node_id: i for i, node_id in enumerate(stored.record.planned_node_ids)}
        records = sorted(stored.nodes.values(), key=lambda n: order.get(n.node_id, len(order)))
        if not include_images:
            return [_without_batch_images(r) for r in records]
        return [self._with_image(stored, record) for record in records]

    async def list_runs(self, owner: str, *, flow_id: str = "", states: Sequence[RunState] = (),
                        page_size: int = 50, after: PageCursor | None = None) -> list[RunRecord]:
        self._check_open()
        wanted = set(states)
        runs = [
            s.record for s in self._runs.values()
            if s.record.owner == owner
            and (not flow_id or s.record.flow_id == flow_id)
            and (not wanted or s.record.state in wanted)
            and (after is None or (s.record.created_at, s.record.run_id) < (after.created_at, after.run_id))
        ]
        runs.sort(key=lambda r: (r.created_at, r.run_id), reverse=True)
        return runs[:max(0, page_size)]

    async def read_events(self, run_id: RunId, after_seq: int, limit: int) -> list[StoredEvent]:
        self._check_open()
        stored = self._runs.get(run_id)
        if stored is None:
            return []
        return stored.events.after(after_seq, limit)

    async def unfinished_runs(self) -> list[RunRecord]:
        self._check_open()
        runs = [s.record for s in self._runs.values() if not s.record.state.finished]
        return sorted(runs, key=lambda r: (r.created_at, r.run_id))

    async def delete_finished_before(self, cutoff: float) -> int:
        self._check_open()
        doomed = [run_id for run_id, s in self._runs.items()
                  if s.record.state.finished and s.record.finished_at is not None and s.record.finished_at < cutoff]
        for run_id in doomed:
            self._delete(run_id)
        return len(doomed)

    async def close(self) -> None:
        self._closed = True

    # -- internals ----------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("the memory store is closed")

    def _get(self, run_id: RunId) -> _Run:
        stored = self._runs.get(run_id)
        if stored is None:
            raise KeyError(run_id)  # as every RunStore does for an unknown run
        return stored

    def _put_node(self, stored: _Run, node: NodeRecord) -> None:
        output = node.output
        if output is None:
            previous = stored.nodes.get(node.node_id)
            if previous is not None and previous.output is not None:  # an output, once stored, is kept
                node = NodeRecord(node.node_id, node.status, node.reason, node.message, node.retryable, previous.output)
            stored.nodes[node.node_id] = node
            return
        if output.image is None and node.node_id not in stored.image_of:
            stored.nodes[node.node_id] = node
            return
        old_hash = stored.image_of.pop(node.node_id, None)
        if output.image is not None:
            digest = hashlib.sha256(output.image.data).hexdigest()
            if digest not in self._images:
                self._images[digest] = output.image.data
            self._image_refs[digest] = self._image_refs.get(digest, 0) + 1
            stored.image_of[node.node_id] = digest
            output = replace(output, image=Image(b"", output.image.mime_type))
        if old_hash is not None:
            self._unref(old_hash)
        stored.nodes[node.node_id] = node._replace(output=output)

    def _with_image(self, stored: _Run, record: NodeRecord) -> NodeRecord:
        digest = stored.image_of.get(record.node_id)
        if digest is None or record.output is None or record.output.image is None:
            return record
        image = Image(self._images[digest], record.output.image.mime_type)
        return record._replace(output=replace(record.output, image=image))

    def _unref(self, digest: str) -> None:
        self._image_refs[digest] -= 1
        if not self._image_refs[digest]:
            del self._image_refs[digest], self._images[digest]

    def _delete(self, run_id: RunId) -> None:
        stored = self._runs.pop(run_id)
        record = stored.record
        if record.idempotency_key is not None:
            self._keys.pop((record.owner, record.idempotency_key), None)
        for digest in stored.image_of.values():
            self._unref(digest)
        self._bytes -= stored.size

    def _grow(self, stored: _Run, added: int) -> None:
        stored.size += added
        self._bytes += added
        if self._max_bytes is None or self.size_bytes <= self._max_bytes:
            return
        # Oldest finished runs first; never the one just written, never a live one.
        finished = sorted((s.record.finished_at or 0.0, run_id) for run_id, s in self._runs.items()
                          if s.record.state.finished and s is not stored)
        for _, run_id in finished:
            if self.size_bytes <= self._max_bytes:
                break
            self._delete(run_id)


def _apply(record: RunRecord, update: RunUpdate) -> RunRecord:
    changes = {name: value for name in _UPDATE_FIELDS if (value := getattr(update, name)) is not None}
    return replace(record, **changes) if changes else record



def _follows(log: _EventLog, events: Sequence[StoredEvent]) -> bool:
    """True when `events` come in increasing seq order after every stored one (the usual case)."""
    previous = log.seqs[-1] if log.seqs else -1
    for event in events:
        if event.seq <= previous:
            return False
        previous = event.seq
    return True


def _without_batch_images(record: NodeRecord) -> NodeRecord:
    """A batch's images as the SQL store reads them without images: mime types only."""
    output = record.output
    if output is None or not output.images:
        return record
    return record._replace(output=replace(output, images=tuple(Image(b"", i.mime_type) for i in output.images)))
