"""Admission: which runs execute now and which wait, in order.

At most `max_active_runs` execute at once. Beyond that a run waits QUEUED, first in first out;
the queue holds at most `max_queued_runs`, and at most `max_queued_runs_per_owner` of one
owner's (so one user cannot fill it). Beyond either bound a start is refused (QueueFull).

A start first takes a ticket (a reserved slot, counted at once, so concurrent starts cannot
overshoot while the run is being stored), then either gives it back (the idempotency key
named an existing run; the store failed) or files the run under it.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from execution.runs.errors import QueueFull
from execution.runs.live import LiveRun
from execution.runs.policy import RunPolicy


@dataclass(frozen=True, slots=True)
class Ticket:
    owner: str
    active: bool  # a slot to execute at once; else a place in the queue


class Admission:
    def __init__(self, policy: RunPolicy) -> None:
        self._policy = policy
        self.active = 0
        self._queue: deque[LiveRun] = deque()
        self._queued = 0  # queued runs plus queue tickets not yet filed
        self._queued_by: Counter[str] = Counter()

    @property
    def queued(self) -> int:
        return self._queued

    def ticket(self, owner: str) -> Ticket:
        policy = self._policy
        if self.active < policy.max_active_runs and not self._queued:
            self.active += 1
            return Ticket(owner, active=True)
        if self._queued >= policy.max_queued_runs:
            raise QueueFull(f"the server is running {self.active} flows and {self._queued} more are queued; retry later")
        if self._queued_by[owner] >= policy.max_queued_runs_per_owner:
            raise QueueFull(f"you have {self._queued_by[owner]} runs queued, the most one user may; retry later")
        self._queued += 1
        self._queued_by[owner] += 1
        return Ticket(owner, active=False)

    def give_back(self, ticket: Ticket) -> LiveRun | None:
        """An unused ticket; returns a queued run that may start in its place."""
        if ticket.active:
            return self.finished()
        self._unqueue(ticket.owner)
        return None

    def file(self, ticket: Ticket, run: LiveRun) -> bool:
        """File `run` under its ticket: True when it is to start now."""
        if ticket.active:
            return True
        if self.active < self._policy.max_active_runs and not self._queue:
            # Slots freed while the run was being stored, and nobody is ahead of it.
            self._unqueue(ticket.owner)
            self.active += 1
            return True
        self._queue.append(run)
        return False

    def finished(self) -> LiveRun | None:
        """A run stopped executing: the next queued run takes its slot (returned), if any."""
        if self._queue:
            run = self._queue.popleft()
            self._unqueue(run.owner)
            return run
        self.active -= 1
        return None

    def withdraw(self, run: LiveRun) -> bool:
        """Take a queued run out of the queue (cancelled); False when it is not queued."""
        try:
            self._queue.remove(run)
        except ValueError:
            return False
        self._unqueue(run.owner)
        return True

    def queued_runs(self) -> list[LiveRun]:
        return list(self._queue)

    def _unqueue(self, owner: str) -> None:
        self._queued -= 1
        self._queued_by[owner] -= 1
        if not self._queued_by[owner]:
            del self._queued_by[owner]
