"""Events the manager writes itself, for runs whose FlowRun cannot end them: a run cancelled
while still queued (it never started), a run the last process left unfinished (restart), a
run whose event stream broke off. They end the run the way FlowRun ends a cancelled one:
each unfinished planned node CANCELLED with a reason, then RunCompleted.

Also here: the run state a run's last event implies.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from execution.events import (
    Event,
    EventBody,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    StatusCounts,
    StatusReason,
)
from execution.ids import NodeId, RunId
from execution.outputs import NO_USAGE, NodeOutput
from execution.run_limits import Limits
from execution.store.base import RunState
from execution.text_limits import TextMeter

CANCELLED_MESSAGE = "Run cancelled"
RESTARTED_MESSAGE = "The server stopped before the node finished"


def ending(planned: Sequence[NodeId], statuses: Mapping[NodeId, NodeStatus], outputs: Mapping[NodeId, NodeOutput],
           reason: StatusReason, message: str, limits: Limits, duration_ms: int = 0) -> list[EventBody]:
    """CANCELLED for every planned node not in a terminal status, then RunCompleted."""
    bodies: list[EventBody] = []
    final = dict(statuses)
    for node_id in planned:
        status = final.get(node_id, NodeStatus.PENDING)
        if not status.terminal:
            final[node_id] = NodeStatus.CANCELLED
            bodies.append(NodeStatusChanged(node_id, NodeStatus.CANCELLED, reason, message))
    counts = count(final[n] for n in planned)
    summary = TextMeter(limits, outputs).summary(outputs)
    # The tokens of the nodes that ran before the end (cached outputs fed to the run spent none).
    usage = sum((o.usage for o in outputs.values() if not o.cached), NO_USAGE)
    bodies.append(RunCompleted(outputs=summary, counts=counts, duration_ms=duration_ms, usage=usage))
    return bodies


def numbered(run_id: RunId, after_seq: int, bodies: Sequence[EventBody]) -> list[Event]:
    now = time.time_ns()
    return [Event(run_id, after_seq + i, now, body) for i, body in enumerate(bodies, start=1)]


def count(statuses: Iterable[NodeStatus]) -> StatusCounts:
    tally = dict.fromkeys(NodeStatus, 0)
    for status in statuses:
        tally[status] += 1
    return StatusCounts(complete=tally[NodeStatus.COMPLETE], error=tally[NodeStatus.ERROR],
                        skipped=tally[NodeStatus.SKIPPED], cancelled=tally[NodeStatus.CANCELLED])


def final_state(counts: StatusCounts, *, failed: bool) -> RunState:
    """A run that failed as a whole is FAILED; one with a cancelled node CANCELLED (it was
    cancelled: nothing else cancels a node); one with a node in ERROR FAILED; else SUCCEEDED."""
    if failed:
        return RunState.FAILED
    if counts.cancelled:
        return RunState.CANCELLED
    if counts.error:
        return RunState.FAILED
    return RunState.SUCCEEDED
