"""Admission: which runs execute now and which wait, in order.

At most `max_active_runs` execute at once, and at most `max_active_runs_per_owner` of one
owner's (0: no cap per owner). Beyond either a run waits QUEUED, first in first out — except
that a run whose owner is at the cap lets the runs behind it of other owners go ahead: one user
with many runs does not hold up everyone else's. The queue holds at most `max_queued_runs`, and
at most `max_queued_runs_per_owner` of one owner's (so one user cannot fill it). Beyond either
bound a start is refused (QueueFull).

A start first takes a ticket (a reserved slot, counted at once, so concurrent starts cannot
overshoot while the run is being stored), then either gives it back (the idempotency key
named an existing run; the store failed) or files the run under it.

What holds between calls: no queued run could execute (every one waits for a slot, or for its
owner's cap) — each freed slot goes to the first queued run that may take it.
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
        self._active_by: Counter[str] = Counter()
        self._queue: deque[LiveRun] = deque()
        self._queued = 0  # queued runs plus queue tickets not yet filed
        self._queued_by: Counter[str] = Counter()

    @property
    def queued(self) -> int:
        return self._queued

    def ticket(self, owner: str) -> Ticket:
        policy = self._policy
        # Queued owners under their cap (or tickets not yet filed) would be ahead of this run.
        if self._may_run(owner) and not any(self._under_cap(o) for o in self._queued_by):
            self._activate(owner)
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
            return self.finished(ticket.owner)
        self._unqueue(ticket.owner)
        return None

    def file(self, ticket: Ticket, run: LiveRun) -> bool:
        """File `run` under its ticket: True when it is to start now."""
        if ticket.active:
            return True
        if self._may_run(run.owner) and self._first_startable() is None:
            # Slots freed while the run was being stored, and no queued run may take them first.
            self._unqueue(ticket.owner)
            self._activate(run.owner)
            return True
        self._queue.append(run)
        return False

    def finished(self, owner: str) -> LiveRun | None:
        """A run of `owner` stopped executing: the first queued run that may now execute takes
        its slot (returned), if any."""
        self.active -= 1
        self._active_by[owner] -= 1
        if not self._active_by[owner]:
            del self._active_by[owner]
        index = self._first_startable()
        if index is None:
            return None
        run = self._queue[index]
        del self._queue[index]
        self._unqueue(run.owner)
        self._activate(run.owner)
        return run

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

    def _under_cap(self, owner: str) -> bool:
        cap = self._policy.max_active_runs_per_owner
        return not cap or self._active_by[owner] < cap

    def _may_run(self, owner: str) -> bool:
        return self.active < self._policy.max_active_runs and self._under_cap(owner)

    def _first_startable(self) -> int | None:
        """The position of the first queued run that may execute now, if any."""
        if self.active >= self._policy.max_active_runs:
            return None
        for index, run in enumerate(self._queue):
            if self._under_cap(run.owner):
                return index
        return None

    def _activate(self, owner: str) -> None:
        self.active += 1
        self._active_by[owner] += 1

    def _unqueue(self, owner: str) -> None:
        self._queued -= 1
        self._queued_by[owner] -= 1
        if not self._queued_by[owner]:
            del self._queued_by[owner]
