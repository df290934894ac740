"""Figures, the printed table, the JSON document and the `--check` verdict.

A Figure is one measured number beside its floor (the same work done by the minimal
implementation in the same run) and, where the issue sets one, a target with its verdict.
"""

from __future__ import annotations

import json
import math
import platform
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class Figure:
    group: str
    name: str
    unit: str
    value: float
    # The same work done by the floor (bare asyncio scheduler / raw grpc.aio) in this run.
    floor: float | None = None
    # Human-readable target, and whether it was met (None: no target).
    target: str = ""
    ok: bool | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor == 0 or math.isnan(self.floor):
            return None
        return self.value / self.floor


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 10_000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if magnitude < 1 else f"{value:.3f}"


def render_table(figures: Sequence[Figure]) -> str:
    header = ("figure", "flowexec", "floor", "ratio", "unit", "target", "ok")
    rows = [header]
    for f in figures:
        verdict = "" if f.ok is None else ("yes" if f.ok else "MISSED")
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else "-"
        rows.append((f"{f.group}: {f.name}", _num(f.value), _num(f.floor), ratio, f.unit, f.target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:4], widths[1:4], strict=True)]
        cells += [c.ljust(w) for c, w in zip(row[4:], widths[4:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  [{f.group}: {f.name}] {f.note}" for f in figures if f.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)


def to_json(figures: Sequence[Figure], settings: dict[str, Any]) -> str:
    doc = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "settings": settings,
        "figures": [{**asdict(f), "ratio": f.ratio} for f in figures],
    }
    return json.dumps(doc, indent=2, default=str)


def missed(figures: Sequence[Figure]) -> list[Figure]:
    return [f for f in figures if f.ok is False]
