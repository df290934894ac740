"""Errors the run manager raises on purpose.

    RunError
    ├── RunNotFound       no such run, or another owner's (never tell which)
    ├── QueueFull         beyond the queue's bounds (overall or this owner's)   (retry later)
    ├── RunNotResumable   the run is still queued or running
    └── EventsLost        a replay reached events the store never received (it was unavailable)

GraphValidationError (an invalid graph) and StoreUnavailable (execution.store.base) pass
through unchanged.
"""

from __future__ import annotations

from execution.errors import FlowexecError


class RunError(FlowexecError):
    """Base of the run manager's errors; str() is safe to show to the caller."""


class RunNotFound(RunError):
    def __init__(self, run_id: str) -> None:
        super().__init__(f"run {run_id[:64]!r} not found")


class QueueFull(RunError):
    pass


class RunNotResumable(RunError):
    pass


class EventsLost(RunError):
    pass
