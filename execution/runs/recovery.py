"""Start-up recovery: a run the last process left queued or running is INTERRUPTED.

With replicas sharing the store (store.leases) the same ending is written by whichever replica
takes over a run whose lease expired (its holder died), fenced by the attempt it took.

Its stored history is ended the way a cancel ends a run — each unfinished planned node
CANCELLED with reason SERVER_RESTARTED, then RunCompleted — in one append that also sets the
state, so a watcher of the run sees a complete, gap-free history and then its end. What the
last process had committed stays: COMPLETE nodes keep their outputs, and ResumeRun reuses them.
"""

from __future__ import annotations

import time

from execution.events import EventBody, NodeStatus, NodeStatusChanged, RunCompleted, RunStarted, StatusReason
from execution.run_limits import Limits
from execution.runs import closing
from execution.runs.codec import RunCodec
from execution.store.base import Fence, NodeRecord, RunRecord, RunState, RunStore, RunUpdate, StoredEvent


async def interrupt(record: RunRecord, store: RunStore, codec: RunCodec, limits: Limits,
                    fence: Fence | None = None) -> None:
    """`fence`: the claim taken over from a replica that stopped renewing it (LeaseLost when a
    third replica was faster)."""
    nodes = await store.get_nodes(record.run_id)
    statuses = {n.node_id: n.status for n in nodes}
    outputs = {n.node_id: n.output for n in nodes if n.status is NodeStatus.COMPLETE and n.output is not None}
    bodies: list[EventBody] = []
    if record.last_seq == 0:  # nothing was stored: the history still starts with RunStarted
        bodies.append(RunStarted(flow_id=record.flow_id, planned_node_ids=record.planned_node_ids, cached_node_ids=(),
                                 dry_run=record.dry_run, parent_run_id=record.parent_run_id))
    # The wall time of a run that died with its process is unknown: duration 0.
    bodies += closing.ending(record.planned_node_ids, statuses, outputs, StatusReason.SERVER_RESTARTED,
                             closing.RESTARTED_MESSAGE, limits)
    events = closing.numbered(record.run_id, record.last_seq, bodies)
    cancelled = [NodeRecord(b.node_id, b.status, b.reason, b.message) for b in bodies if isinstance(b, NodeStatusChanged)]
    completed = bodies[-1]
    assert isinstance(completed, RunCompleted)
    await store.append(
        record.run_id,
        [StoredEvent(e.seq, codec.encode_event(e)) for e in events],
        cancelled,
        RunUpdate(state=RunState.INTERRUPTED, finished_at=time.time(), last_seq=events[-1].seq, counts=completed.counts),
        fence=fence,
    )
