"""The run store seam: what the run manager needs from storage, and nothing more.

Runs outlive their stream, their client and the server process: a run, every event it
emitted, each planned node's last status and output, and the images those outputs hold are
stored. Two kinds of implementation pass one conformance suite (tests/store): SQL
(SQLite embedded by default, PostgreSQL by URL; versioned migrations) and memory
(persistence off: runs live as long as the process, bounded by retention).

Events are stored as opaque payloads: the server encodes each event once (its wire form)
and the same bytes go to the store and to every watcher, so a replay sends stored bytes as
they are. The request a run was started with is opaque bytes too (ResumeRun and restart
decode it). Node outputs are domain objects: the store encodes them itself, images by
content hash (sha256), each image stored once.

Writes come in batches (`append`): one call is one transaction, so a crash loses at most a
batch that was not yet committed. Ownership is checked here: a run whose owner differs from
the caller's is not found (`get_run(..., owner=...)` returns None), so another user's run is
indistinguishable from a missing one.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from execution.events import NodeStatus, StatusCounts, StatusReason
from execution.ids import FlowId, NodeId, RunId
from execution.outputs import NodeOutput


class RunState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        return self not in (RunState.QUEUED, RunState.RUNNING)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run as stored. Times are Unix seconds (float); None while not reached."""

    run_id: RunId
    owner: str
    flow_id: FlowId
    state: RunState
    # The request the run was started with, as the server encoded it (opaque here).
    request: bytes
    planned_node_ids: tuple[NodeId, ...]
    created_at: float
    parent_run_id: RunId | None = None
    dry_run: bool = False
    started_at: float | None = None
    finished_at: float | None = None
    # Seq of the last event stored for the run.
    last_seq: int = 0
    counts: StatusCounts = field(default_factory=StatusCounts)
    # False once a batch of the run's events could not be written (the database was away).
    fully_stored: bool = True
    # StartRun's idempotency key, unique per owner when set.
    idempotency_key: str | None = None


class StoredEvent(NamedTuple):
    """One event as stored: its seq in the run and its payload (the server's encoding). A named
    tuple: one is made per event on the live path, and a driver takes it as a row as it is."""

    seq: int
    payload: bytes


class NodeRecord(NamedTuple):
    """A planned node's last status, and its output once it has one. A named tuple, as
    StoredEvent: a live run makes one per node per write (`_replace` changes a field)."""

    node_id: NodeId
    status: NodeStatus
    reason: StatusReason = StatusReason.NONE
    message: str = ""
    retryable: bool = False
    # Set for COMPLETE nodes (and nodes fed from cached outputs). Read back without image
    # bytes unless asked for (the image keeps its mime type).
    output: NodeOutput | None = None
    # Read back only: the output's image was over the store's size limit and its bytes were not
    # stored (the output keeps the image's mime type, with empty data). Such an output cannot
    # stand in for the node (ResumeRun runs the node again).
    image_omitted: bool = False


@dataclass(frozen=True, slots=True)
class RunUpdate:
    """Fields of a run to change; None leaves a field as it is."""

    state: RunState | None = None
    started_at: float | None = None
    finished_at: float | None = None
    last_seq: int | None = None
    counts: StatusCounts | None = None
    fully_stored: bool | None = None


@dataclass(frozen=True, slots=True)
class Fence:
    """The lease a replica holds on a run (execution.store.leases): a batch written with it is
    written only while the run's claim still names this holder and attempt."""

    holder: str
    attempt: int
    # How long a claim lasts from its creation or renewal (seconds).
    lease_seconds: float


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where a ListRuns page ends: the last run's creation time and id (newest first)."""

    created_at: float
    run_id: RunId


class RunStore(abc.ABC):
    """Storage of runs, their events, node states and outputs. Every method may raise
    StoreUnavailable when the backend cannot be reached."""

    # Run ownership shared by several processes (PostgreSQL); None: one process owns the store.
    leases: Leases | None = None
    # Notifications between those processes (new events of a run, cancel requests); None: one process.
    signals: RunSignals | None = None

    @abc.abstractmethod
    async def create_run(self, run: RunRecord) -> RunRecord:
        """Insert `run`. When `run.idempotency_key` is set and the same owner already has a
        run with that key, insert nothing and return the existing run."""

    @abc.abstractmethod
    async def update_run(self, run_id: RunId, update: RunUpdate) -> None:
        """Change the fields `update` sets. Raises KeyError for an unknown run."""

    @abc.abstractmethod
    async def append(self, run_id: RunId, events: Sequence[StoredEvent], nodes: Sequence[NodeRecord],
                     update: RunUpdate | None = None, *, create: RunRecord | None = None,
                     fence: Fence | None = None) -> None:
        """One transaction: add events (seq unique per run), upsert node records (a record
        replaces the node's previous one; an output, once stored, is kept when a later record
        has none), and apply `update` to the run. Raises KeyError for an unknown run and
        ValueError for a seq already stored; either way nothing of the call is written.

        With `create` (a record without idempotency key, for `run_id`), the run is inserted
        first, in the same transaction: a run whose record is stored with its first batch.
        ValueError when it exists already.

        With `fence` (a store with `leases`): written only while the run's claim names the
        fence's holder and attempt, checked in the same transaction — else nothing is written
        and LeaseLost is raised. A batch that creates its run creates its claim too."""

    @abc.abstractmethod
    async def get_run(self, run_id: RunId, owner: str | None = None) -> RunRecord | None:
        """The run, or None when it does not exist or (with `owner`) belongs to someone else."""

    @abc.abstractmethod
    async def get_nodes(self, run_id: RunId, *, include_images: bool = False) -> list[NodeRecord]:
        """The run's node records, in the run's planned order where known."""

    @abc.abstractmethod
    async def list_runs(self, owner: str, *, flow_id: str = "", states: Sequence[RunState] = (),
                        page_size: int = 50, after: PageCursor | None = None) -> list[RunRecord]:
        """The owner's runs, newest first (created_at, then run_id, descending), strictly after
        `after`, filtered by flow id and states when given, at most `page_size`."""

    @abc.abstractmethod
    async def read_events(self, run_id: RunId, after_seq: int, limit: int) -> list[StoredEvent]:
        """Up to `limit` events with seq > after_seq, in seq order."""

    @abc.abstractmethod
    async def unfinished_runs(self) -> list[RunRecord]:
        """Runs stored as queued or running (at start-up: those the last process left behind)."""

    @abc.abstractmethod
    async def delete_finished_before(self, cutoff: float) -> int:
        """Delete runs finished before `cutoff` (Unix seconds) with their events and node
        records, and images no remaining output references. Returns the runs deleted."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections."""


class Leases(abc.ABC):
    """Which replica executes which run, for processes sharing one database: a claim per run
    (holder, attempt, expiry) that its holder renews; a run whose claim expired (its holder
    died, or was starved past the expiry) is taken over by another replica, which raises the
    attempt — from then on the old holder's fenced writes are refused."""

    @abc.abstractmethod
    async def claim(self, run_id: RunId, fence: Fence) -> None:
        """Claim a run just stored (its first holder)."""

    @abc.abstractmethod
    async def take_over(self, holder: str, lease_seconds: float, limit: int) -> list[tuple[RunRecord, Fence]]:
        """Claim up to `limit` unfinished runs whose claim expired (or that have none and were
        created more than `lease_seconds` ago), each row locked so that two replicas never take
        the same run; the new fences carry the raised attempt."""

    @abc.abstractmethod
    async def release(self, run_id: RunId, fence: Fence) -> None:
        """Drop the claim of a run that finished (only while it is still this fence's)."""

    @abc.abstractmethod
    def heartbeat_dsn(self) -> str:
        """A libpq URL for the heartbeat's own connection (holds the password: never log it)."""


class RunSignals(abc.ABC):
    """Notifications between processes sharing the store: a watcher of a run executing
    elsewhere is woken when its events are committed (the committing batch announces them);
    a cancel asked on one replica reaches the one executing the run."""

    @abc.abstractmethod
    async def start(self, on_cancel: Callable[[RunId, str], None]) -> None:
        """Listen; `on_cancel(run_id, reason value)` when some replica asks for a run's cancel."""

    @abc.abstractmethod
    async def wait_for_events(self, run_id: RunId, timeout: float) -> bool:
        """Until new events of the run are announced (True) or `timeout` passes (False)."""

    @abc.abstractmethod
    async def request_cancel(self, run_id: RunId, reason: str) -> None:
        """Ask every replica to cancel the run (the one executing it does)."""

    @abc.abstractmethod
    async def stop(self) -> None:
        """Stop listening."""


class LeaseLost(Exception):
    """A fenced write was refused: another replica holds the run's claim now."""


class StoreUnavailable(Exception):
    """The backend could not be reached or refused the operation (names no password)."""
