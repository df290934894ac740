"""Builders of store records for the tests: a run with sensible defaults, events, node records."""

from __future__ import annotations

import itertools
import time
from typing import Any

from execution.events import NodeStatus
from execution.ids import NodeId, RunId
from execution.outputs import Image, NodeOutput
from execution.store.base import NodeRecord, RunRecord, RunState, StoredEvent

_ids = itertools.count(1)


def new_run(owner: str = "alice", *, created_at: float | None = None, **fields: Any) -> RunRecord:
    run_id = fields.pop("run_id", None) or RunId(f"run-{next(_ids):06d}")
    return RunRecord(
        run_id=run_id,
        owner=owner,
        flow_id=fields.pop("flow_id", "flow-a"),
        state=fields.pop("state", RunState.RUNNING),
        request=fields.pop("request", b"\x0a\x03req"),
        planned_node_ids=fields.pop("planned_node_ids", (NodeId("a"), NodeId("b"), NodeId("c"))),
        created_at=time.time() if created_at is None else created_at,
        **fields,
    )


def events(first: int, last: int, size: int = 16) -> list[StoredEvent]:
    """Events first..last (inclusive), each payload naming its seq."""
    return [StoredEvent(seq, f"event-{seq}".encode().ljust(size, b".")) for seq in range(first, last + 1)]


def complete(node_id: str, text: str = "", image: Image | None = None) -> NodeRecord:
    return NodeRecord(NodeId(node_id), NodeStatus.COMPLETE, output=NodeOutput(text=text or f"out of {node_id}", image=image))


def status(node_id: str, node_status: NodeStatus, **fields: Any) -> NodeRecord:
    return NodeRecord(NodeId(node_id), node_status, **fields)
