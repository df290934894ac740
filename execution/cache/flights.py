"""Single flight: nodes with the same key running at the same time — in two runs, or twice in
one run — share one computation (one provider call). The first is the leader and runs the
node; the others follow: they wait for its outcome and take it as their own.

When the leader does not deliver an output, its followers are not failed blindly:

- it failed with an error that is not retryable (a bad input, a refused request): the same key
  means the same request, so each follower ends with that error (a copy), without sending it;
- it failed with a retryable error (timeout, 5xx, rate limit): one follower becomes the leader
  and sends its own call — one more attempt for the group; if that fails retryably too, the
  rest take that error;
- it was cancelled (its run was), or its executor raised something that is not a NodeError:
  that says nothing about the call, so one follower becomes the leader with the same attempt
  count. Its run's cancellation never reaches the followers, and a cancelled follower only
  stops waiting.

Only within this process: servers sharing one database each make their own call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from execution.errors import NodeError
from execution.outputs import NodeOutput

# Attempts a group makes (the first leader's, then one follower's) before its followers take a
# retryable error as theirs.
GROUP_ATTEMPTS = 2


@dataclass(frozen=True, slots=True)
class _Failed:
    error: NodeError


# The leader left without an outcome (cancelled, or not a NodeError): followers contend again.
_ABANDONED = object()
Outcome = NodeOutput | _Failed | object


class _Flight:
    __slots__ = ("attempt", "outcome")

    def __init__(self, attempt: int) -> None:
        self.attempt = attempt
        self.outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()


class Flights:
    def __init__(self) -> None:
        self._flights: dict[str, _Flight] = {}

    def in_flight(self, key: str) -> bool:
        return key in self._flights

    async def run(self, key: str, compute: Callable[[], Awaitable[NodeOutput]]) -> tuple[NodeOutput, bool]:
        """`compute()`'s output, computed here or by the leader of `key`'s flight; the flag says
        whether it was shared (this caller followed)."""
        attempt = 1
        while True:
            flight = self._flights.get(key)
            if flight is None:
                return await self._lead(key, _Flight(attempt), compute), False
            outcome = await asyncio.shield(flight.outcome)
            if isinstance(outcome, NodeOutput):
                return outcome, True
            if isinstance(outcome, _Failed):
                if not outcome.error.retryable or flight.attempt >= GROUP_ATTEMPTS:
                    raise _copy(outcome.error)
                attempt = flight.attempt + 1
            else:
                attempt = flight.attempt

    async def _lead(self, key: str, flight: _Flight, compute: Callable[[], Awaitable[NodeOutput]]) -> NodeOutput:
        self._flights[key] = flight
        outcome: Outcome = _ABANDONED
        try:
            output = await compute()
            outcome = output
            return output
        except NodeError as error:
            outcome = _Failed(error)
            raise
        finally:
            # Out of the table before anyone wakes: a follower that finds no flight leads the next.
            if self._flights.get(key) is flight:
                del self._flights[key]
            flight.outcome.set_result(outcome)


def _copy(error: NodeError) -> NodeError:
    """A fresh exception equal to `error` (each follower raises its own; no shared traceback)."""
    clone = type(error).__new__(type(error), *error.args)
    clone.__dict__.update(error.__dict__)
    return clone
