"""Run records ⇄ rows of the runs table, and node records → rows of the nodes table."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import RowMapping

from execution.events import StatusCounts
from execution.ids import FlowId, NodeId, RunId
from execution.store.base import RunRecord, RunState, RunUpdate


def run_row(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "owner": run.owner,
        "flow_id": run.flow_id,
        "state": run.state.value,
        "parent_run_id": run.parent_run_id,
        "dry_run": run.dry_run,
        "request": run.request,
        "planned_node_ids": json.dumps(list(run.planned_node_ids), ensure_ascii=False, separators=(",", ":")),
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "last_seq": run.last_seq,
        **counts_row(run.counts),
        "fully_stored": run.fully_stored,
        "idempotency_key": run.idempotency_key,
    }


def counts_row(counts: StatusCounts) -> dict[str, int]:
    return {
        "count_complete": counts.complete,
        "count_error": counts.error,
        "count_skipped": counts.skipped,
        "count_cancelled": counts.cancelled,
    }


def update_values(update: RunUpdate) -> dict[str, Any]:
    """The columns `update` sets (None fields leave theirs as they are)."""
    values: dict[str, Any] = {}
    if update.state is not None:
        values["state"] = update.state.value
    if update.started_at is not None:
        values["started_at"] = update.started_at
    if update.finished_at is not None:
        values["finished_at"] = update.finished_at
    if update.last_seq is not None:
        values["last_seq"] = update.last_seq
    if update.counts is not None:
        values.update(counts_row(update.counts))
    if update.fully_stored is not None:
        values["fully_stored"] = update.fully_stored
    return values


def run_record(row: RowMapping) -> RunRecord:
    return RunRecord(
        run_id=RunId(row["run_id"]),
        owner=row["owner"],
        flow_id=FlowId(row["flow_id"]),
        state=RunState(row["state"]),
        request=bytes(row["request"]),
        planned_node_ids=planned_ids(row["planned_node_ids"]),
        created_at=row["created_at"],
        parent_run_id=RunId(row["parent_run_id"]) if row["parent_run_id"] is not None else None,
        dry_run=bool(row["dry_run"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        last_seq=row["last_seq"],
        counts=StatusCounts(complete=row["count_complete"], error=row["count_error"],
                            skipped=row["count_skipped"], cancelled=row["count_cancelled"]),
        fully_stored=bool(row["fully_stored"]),
        idempotency_key=row["idempotency_key"],
    )


def planned_ids(planned_json: str) -> tuple[NodeId, ...]:
    """The planned node ids a runs row holds (a JSON array)."""
    return tuple(NodeId(n) for n in json.loads(planned_json))
