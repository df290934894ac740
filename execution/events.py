"""Domain events a run emits, and the status / reason enums they carry.

The server translates these one-to-one into flowexec.v1.NodeEvent; in-process users
(benchmarks, tests, other transports) consume them directly.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from execution.ids import FlowId, NodeId, RunId
from execution.outputs import NO_USAGE, NodeOutput, TokenUsage


class NodeStatus(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETE = "complete"
    ERROR = "error"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self not in (NodeStatus.PENDING, NodeStatus.RUNNING)


class StatusReason(enum.Enum):
    NONE = "none"
    UPSTREAM_FAILED = "upstream_failed"
    NO_EXECUTOR = "no_executor"
    INVALID_INPUT = "invalid_input"
    PROVIDER_ERROR = "provider_error"
    TIMEOUT = "timeout"
    INTERNAL = "internal"
    CLIENT_CANCELLED = "client_cancelled"
    DEADLINE_EXCEEDED = "deadline_exceeded"
    SERVER_SHUTDOWN = "server_shutdown"
    NOT_CONFIGURED = "not_configured"
    # The process stopped while the node was pending or running (its run is INTERRUPTED).
    SERVER_RESTARTED = "server_restarted"
    # Waiting for a rate limit (the user's budget, or the provider's Retry-After) would take
    # longer than the server waits: retryable.
    RATE_LIMITED = "rate_limited"
    # SKIPPED: reached only through branches not taken (case, flow_select), or a join policy not
    # met (merge). Not an error: the flow chose not to run the node.
    BRANCH_NOT_TAKEN = "branch_not_taken"
    # CANCELLED: the run's time limit (RunOptions.max_execution_ms) passed.
    RUN_TIME_LIMIT = "run_time_limit"


class WaitReason(enum.Enum):
    """Why a running node waits without a slot (NodeWaiting)."""

    # The user's budget for the provider (requests or tokens per minute) is spent.
    RATE_LIMITED = "rate_limited"
    # The provider answered 429 and asked us to come back later.
    PROVIDER_RETRY_AFTER = "provider_retry_after"


UPSTREAM_FAILED_MESSAGE = "Upstream node failed"
BRANCH_NOT_TAKEN_MESSAGE = "Branch not taken"


@dataclass(frozen=True, slots=True)
class RunStarted:
    flow_id: FlowId
    planned_node_ids: tuple[NodeId, ...]
    cached_node_ids: tuple[NodeId, ...]
    dry_run: bool
    # The run this one resumes (execution.runs), if any.
    parent_run_id: RunId | None = None


@dataclass(frozen=True, slots=True)
class NodeStatusChanged:
    node_id: NodeId
    status: NodeStatus
    reason: StatusReason = StatusReason.NONE
    message: str = ""
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class NodeOutputProduced:
    node_id: NodeId
    output: NodeOutput


@dataclass(frozen=True, slots=True)
class NodeWaiting:
    """A running node gave its slot back to wait for a rate limit; RUNNING again when it goes on."""

    node_id: NodeId
    provider_id: str
    reason: WaitReason
    estimated_wait_ms: int


@dataclass(frozen=True, slots=True)
class TextDelta:
    node_id: NodeId
    chunk: str


class StepState(enum.Enum):
    STARTED = "started"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class NodeStep:
    """A node that runs in named steps (a pipeline's chunks) started or completed one. A
    completed step carries its output text (what the next step receives); the last step's is
    also the node's output, streamed as its text deltas."""

    node_id: NodeId
    # 0-based position of the step, of `count`.
    index: int
    count: int
    name: str
    state: StepState
    text: str = ""


@dataclass(frozen=True, slots=True)
class NodeProgress:
    """How far a running node has come: `value` of `max` units (0 = unknown) of one step.

    `label` names what progresses ("KSampler"), `step` which sub-step the numbers belong to (a
    ComfyUI node id, a pipeline chunk); both may be empty. Informational only."""

    node_id: NodeId
    value: int
    max: int = 0
    label: str = ""
    step: str = ""


@dataclass(frozen=True, slots=True)
class StatusCounts:
    complete: int = 0
    error: int = 0
    skipped: int = 0
    cancelled: int = 0


@dataclass(frozen=True, slots=True)
class RunCompleted:
    outputs: Mapping[NodeId, NodeOutput]
    counts: StatusCounts
    duration_ms: int
    # Summed over the nodes that ran in this run (not the cached outputs that fed it).
    usage: TokenUsage = NO_USAGE
    # The run's named results: the values of its completed result nodes (`end`), by name.
    results: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunFailed:
    message: str


EventBody = (RunStarted | NodeStatusChanged | NodeOutputProduced | TextDelta | NodeWaiting | NodeProgress
             | NodeStep | RunCompleted | RunFailed)


@dataclass(frozen=True, slots=True)
class Event:
    """One event of a run: its body plus run id, gap-free sequence number and time."""

    run_id: RunId
    seq: int
    time_ns: int
    body: EventBody
