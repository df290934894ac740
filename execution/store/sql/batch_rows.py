"""One `append` as rows, made before its transaction: what each backend writes in one go
(sqlite_writer.py: one call in the writer's thread; postgres_batch.py: one statement).

A batch that creates its run carries the run's row with the batch's update already applied
(an insert instead of an insert and an update); otherwise the update's columns, whose UPDATE
doubles as the check that the run exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execution.ids import RunId
from execution.store.base import Fence, NodeRecord, RunRecord, RunUpdate, StoredEvent
from execution.store.sql.node_rows import ImageRow, node_rows
from execution.store.sql.rows import run_row, update_values

# The events table's columns, in the order of an event row.
EVENT_COLUMNS = ("run_id", "seq", "payload")
# The nodes table's columns, in the order of a node row (node_rows.node_rows makes them).
NODE_COLUMNS = ("run_id", "node_id", "status", "reason", "message", "retryable", "output", "image_sha256",
                "image_omitted")
IMAGE_COLUMNS = ("sha256", "mime_type", "size", "data")

# A node row replaces the stored one, except that the stored output (and its image) stays when
# the new row has none. The same on both backends.
_KEEP_OUTPUT = "CASE WHEN excluded.output IS NULL THEN nodes.{0} ELSE excluded.{0} END"
NODE_CONFLICT = ("ON CONFLICT (run_id, node_id) DO UPDATE SET status = excluded.status, reason = excluded.reason, "
                 "message = excluded.message, retryable = excluded.retryable, "
                 + ", ".join(f"{column} = {_KEEP_OUTPUT.format(column)}"
                             for column in ("output", "image_sha256", "image_omitted")))


@dataclass(frozen=True, slots=True)
class BatchRows:
    run_id: RunId
    # The runs row to insert (a batch that creates its run), else None.
    new_run: dict[str, Any] | None
    # Columns of the run to set (empty when creating, or when the batch changes none).
    update: dict[str, Any]
    events: list[tuple[str, int, bytes]]
    nodes: list[tuple[Any, ...]]
    images: list[ImageRow]
    # Committed durably on PostgreSQL (dialect.commit_durably): creates the run, holds an output
    # or the run's finished state.
    durable: bool
    # Written only while the run's claim is this holder's at this attempt (PostgreSQL); a batch
    # that creates its run creates the claim.
    fence: Fence | None = None


def batch_rows(run_id: RunId, events: Sequence[StoredEvent], nodes: Sequence[NodeRecord], update: RunUpdate | None,
               create: RunRecord | None, max_image_bytes: int, fence: Fence | None = None) -> BatchRows:
    if create is not None and (create.run_id != run_id or create.idempotency_key is not None):
        raise ValueError("append creates only the run it appends to, without idempotency key")
    values = update_values(update) if update is not None else {}
    new_run = None
    if create is not None:
        new_run = run_row(create)
        new_run.update(values)
        values = {}
    node_values, images = node_rows(run_id, nodes, max_image_bytes)
    durable = create is not None or any(n.output is not None for n in nodes) or (
        update is not None and update.state is not None and update.state.finished)
    return BatchRows(run_id, new_run, values, [(run_id, seq, payload) for seq, payload in events], node_values,
                     images, durable, fence)
