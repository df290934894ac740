"""The cap per user on nodes running at once across all of the user's runs.

(The cap on a user's executing runs is the run manager's: a run over it waits QUEUED, see
execution.runs.admission.) The node cap is a NodeSlots per user that every run of the user draws
from, besides its own concurrency slots: a run that finds it empty asks to be woken, and each
slot given back wakes the runs waiting for one in turn (a round robin over the user's runs, so
one big run does not starve the user's others). A node waiting for a rate limit holds none.

Zero means no cap; then nothing here is consulted on the hot path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable


class NodeSlots:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.free = limit
        # Who waits for a slot, in the order they first asked; each one's wake-up.
        self._waiting: dict[object, Callable[[], None]] = {}

    @property
    def contended(self) -> bool:
        """Someone waits for a slot: a holder that could keep its slot should give it back."""
        return bool(self._waiting)

    def take(self, waiter: object, wake: Callable[[], None]) -> bool:
        """A slot (True); else False, and `wake` is called once one is given back."""
        if self.free:
            self.free -= 1
            return True
        self._waiting.setdefault(waiter, wake)
        return False

    def give_back(self, count: int = 1) -> None:
        self.free += count
        while self.free and self._waiting:
            waiter = next(iter(self._waiting))
            self._waiting.pop(waiter)()

    def forget(self, waiter: object) -> None:
        self._waiting.pop(waiter, None)


class UserCaps:
    """Each user's NodeSlots while the user has runs in flight (counted here for that alone)."""

    def __init__(self, max_running_nodes: int = 0) -> None:
        self.max_running_nodes = max_running_nodes
        self._runs: Counter[str] = Counter()
        self._slots: dict[str, NodeSlots] = {}

    def runs(self, owner: str) -> int:
        return self._runs[owner]

    def start_run(self, owner: str) -> NodeSlots | None:
        """Count a run of `owner` in; the user's node slots, if capped."""
        self._runs[owner] += 1
        if not self.max_running_nodes:
            return None
        slots = self._slots.get(owner)
        if slots is None:
            slots = self._slots[owner] = NodeSlots(self.max_running_nodes)
        return slots

    def end_run(self, owner: str) -> None:
        self._runs[owner] -= 1
        if self._runs[owner] <= 0:
            del self._runs[owner]
            self._slots.pop(owner, None)
