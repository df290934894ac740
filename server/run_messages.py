"""Run resources ⇄ protobuf: Run and RunNode messages, run states, ids and page tokens.

Checks of what a caller may send (run ids, page sizes and tokens, states) raise BadField,
which names the field; the servicer answers INVALID_ARGUMENT with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Sequence

from execution.events import NodeStatus
from execution.ids import RunId
from execution.store.base import NodeRecord, PageCursor, RunRecord, RunState
from flowexec.v1 import runs_pb2
from server import convert

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_IDEMPOTENCY_KEY_CHARS = 256

_STATE = {s: runs_pb2.RunState.Value(f"RUN_STATE_{s.name}") for s in RunState}
_STATE_FROM = {v: k for k, v in _STATE.items()}
_RUN_ID = re.compile(r"[0-9a-f]{32}")


class BadField(ValueError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def run_id(value: str, field: str = "run_id") -> RunId:
    if not value:
        raise BadField(field, "required")
    if not _RUN_ID.fullmatch(value):
        raise BadField(field, "not a run id (32 lowercase hex digits)")
    return RunId(value)


def page_size(value: int) -> int:
    if value < 0:
        raise BadField("page_size", "must not be negative")
    return min(value or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def states(values: Iterable[int]) -> list[RunState]:
    wanted = []
    for i, value in enumerate(values):
        state = _STATE_FROM.get(value)
        if state is None:
            raise BadField(f"states[{i}]", f"not a run state ({value})")
        wanted.append(state)
    return wanted


def idempotency_key(value: str) -> str | None:
    if len(value) > MAX_IDEMPOTENCY_KEY_CHARS:
        raise BadField("idempotency_key", f"at most {MAX_IDEMPOTENCY_KEY_CHARS} characters")
    return value or None


def page_token(cursor: PageCursor | None) -> str:
    if cursor is None:
        return ""
    raw = json.dumps([cursor.created_at, cursor.run_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor(token: str) -> PageCursor | None:
    if not token:
        return None
    try:
        created_at, value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(created_at, int | float) or not isinstance(value, str):
            raise ValueError
        return PageCursor(float(created_at), run_id(value))
    except (ValueError, TypeError, binascii.Error, BadField):
        raise BadField("page_token", "not a next_page_token from ListRuns") from None


def run_to_proto(record: RunRecord, nodes: Sequence[NodeRecord] | None = None) -> runs_pb2.Run:
    """The Run message; with `nodes`, the nodes too (GetRun, and new runs with PENDING nodes)."""
    run = runs_pb2.Run(run_id=record.run_id, flow_id=record.flow_id, owner=record.owner,
                       parent_run_id=record.parent_run_id or "", state=_STATE[record.state],
                       last_seq=record.last_seq, fully_stored=record.fully_stored, dry_run=record.dry_run)
    counts = record.counts
    run.counts.complete, run.counts.error = counts.complete, counts.error
    run.counts.skipped, run.counts.cancelled = counts.skipped, counts.cancelled
    run.created_time.FromNanoseconds(int(record.created_at * 1e9))
    if record.started_at is not None:
        run.started_time.FromNanoseconds(int(record.started_at * 1e9))
    if record.finished_at is not None:
        run.finished_time.FromNanoseconds(int(record.finished_at * 1e9))
    for node in nodes or ():
        added = run.nodes.add(node_id=node.node_id, status=convert.STATUS[node.status],
                              reason=convert.REASON[node.reason], message=node.message, retryable=node.retryable)
        if node.output is not None:
            added.output.SetInParent()
            convert.fill_output(added.output, node.output)
    return run


def planned_nodes(record: RunRecord) -> list[NodeRecord]:
    """A new run's nodes as StartRun and ResumeRun return them: every planned node PENDING."""
    return [NodeRecord(node_id, NodeStatus.PENDING) for node_id in record.planned_node_ids]

