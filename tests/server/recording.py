"""An Engine that keeps every run it started, so tests can inspect the server side."""

from __future__ import annotations

from typing import Any

from execution.engine import Engine, PreparedRun
from execution.nodes.builtin import builtin_registry
from execution.scheduler import FlowRun


class RecordingEngine(Engine):
    def __init__(self) -> None:
        super().__init__(builtin_registry(diagnostic_nodes=True))
        self.runs: list[FlowRun] = []

    def start(self, prepared: PreparedRun, **kwargs: Any) -> FlowRun:
        run = super().start(prepared, **kwargs)
        self.runs.append(run)
        return run
