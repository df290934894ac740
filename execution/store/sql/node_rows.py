"""Node records ⇄ rows of the nodes table, and the images their outputs hold.

A batch may carry several records of one node (RUNNING, then COMPLETE with its output): they
are folded into one row first, with the rule the store keeps across batches too — a later
record replaces the earlier, except that an output, once there, stays when the later record
has none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import RowMapping

from execution.events import NodeStatus, StatusReason
from execution.ids import NodeId
from execution.outputs import Image
from execution.store.base import NodeRecord
from execution.store.sql.output_codec import decode_output, encode_output


@dataclass(frozen=True, slots=True)
class ImageRow:
    sha256: str
    mime_type: str
    data: bytes

    def as_row(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "mime_type": self.mime_type, "size": len(self.data), "data": self.data}


def fold(records: Sequence[NodeRecord]) -> Sequence[NodeRecord]:
    """One record per node, in first-seen order, each node's last record keeping its output."""
    if len(records) < 2 or len({record.node_id for record in records}) == len(records):
        return records  # one record per node already (the live path folds as it goes)
    last: dict[NodeId, NodeRecord] = {}
    for record in records:
        previous = last.get(record.node_id)
        if previous is not None and record.output is None and previous.output is not None:
            record = record._replace(output=previous.output)
        last[record.node_id] = record
    return list(last.values())


def node_rows(run_id: str, records: Sequence[NodeRecord], max_image_bytes: int
              ) -> tuple[list[tuple[Any, ...]], list[ImageRow]]:
    """Rows for the nodes table (dialect.NODE_COLUMNS order) and the images to store (each
    once, up to `max_image_bytes`)."""
    rows: list[tuple[Any, ...]] = []
    images: dict[str, ImageRow] = {}
    for record in fold(records):
        output = record.output
        # _value_: the member's value without the `value` property's descriptor call (hot path).
        if output is None:
            rows.append((run_id, record.node_id, record.status._value_, record.reason._value_, record.message,
                         record.retryable, None, None, False))
            continue
        image_sha256: str | None = None
        omitted = False
        if (image := output.image) is not None:
            data = image.data
            # A batch's images live in the output's JSON (base64), under the same cap: over it,
            # none is kept (mime types only), as for a single image.
            if len(data) > max_image_bytes or sum(len(i.data) for i in output.images) > max_image_bytes:
                omitted = True
                if output.images:
                    output = replace(output, images=tuple(Image(b"", i.mime_type) for i in output.images))
            else:
                image_sha256 = hashlib.sha256(data).hexdigest()
                images.setdefault(image_sha256, ImageRow(image_sha256, image.mime_type, data))
        rows.append((run_id, record.node_id, record.status._value_, record.reason._value_, record.message,
                     record.retryable, encode_output(output), image_sha256, omitted))
    return rows, list(images.values())


def node_record(row: RowMapping, image_data: bytes | None) -> NodeRecord:
    """The record a nodes row holds; the image carries `image_data` (None: no bytes)."""
    output_text = row["output"]
    return NodeRecord(
        node_id=NodeId(row["node_id"]),
        status=NodeStatus(row["status"]),
        reason=StatusReason(row["reason"]),
        message=row["message"],
        retryable=bool(row["retryable"]),
        output=(decode_output(output_text, bytes(image_data or b""), image_bytes=image_data is not None)
                if output_text is not None else None),
        image_omitted=bool(row["image_omitted"]),
    )


def planned_order(records: list[NodeRecord], planned: Sequence[NodeId]) -> list[NodeRecord]:
    """`records` in the planned order; nodes outside the plan after them, by id."""
    position = {node_id: i for i, node_id in enumerate(planned)}
    return sorted(records, key=lambda r: (position.get(r.node_id, len(position)), r.node_id))
