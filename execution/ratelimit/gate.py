"""CallGate: what a live provider call needs from the node it runs for — whose budgets it
spends, and how to wait for one without holding the node's slot.

The call asks the budgets (`admit`); when they say wait, it hands the wait to `pause`, which the
scheduler provides per node: give the run's concurrency slot (and the user's node slot) back,
tell the client (NodeWaiting), sleep, take a slot again. The executor above the call sees
nothing of this. A wait longer than `max_wait` is not waited for: the call raises RateLimited
(the node ends ERROR / RATE_LIMITED, retryable).

Outside a run (a test, a benchmark calling ChatCall directly) the default gate has no budgets
and pauses by sleeping in place.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from execution.errors import RateLimited
from execution.events import WaitReason
from execution.graph.model import LOCAL_OWNER
from execution.ratelimit.budget import UNLIMITED, ProviderBudgets, Reservation

# Longest wait for a budget (seconds) unless configured (FLOWEXEC_RATE_LIMIT_MAX_WAIT).
DEFAULT_MAX_WAIT = 120.0


@dataclass(frozen=True, slots=True)
class Wait:
    provider_id: str
    reason: WaitReason
    seconds: float


Pause = Callable[[Wait], Awaitable[None]]


async def sleep_in_place(wait: Wait) -> None:
    await asyncio.sleep(wait.seconds)


@dataclass(frozen=True, slots=True)
class CallGate:
    owner: str = LOCAL_OWNER
    budgets: ProviderBudgets = UNLIMITED
    pause: Pause = sleep_in_place
    max_wait: float = DEFAULT_MAX_WAIT

    async def admit(self, provider_id: str, tokens: int) -> Reservation:
        """Charge one call of about `tokens` to the owner's budget for the provider, pausing
        (without a slot) as long as the budget says; RateLimited when that is too long."""
        while True:
            reservation = await self.budgets.acquire(self.owner, provider_id, tokens)
            if reservation.admitted:
                return reservation
            if reservation.wait > self.max_wait:
                raise RateLimited(
                    f"{provider_id}: this user's budget of {reservation.budget} would make the call wait "
                    f"~{reservation.wait:.0f} s, longer than this server waits ({self.max_wait:g} s); try again later")
            await self.pause(Wait(provider_id, WaitReason.RATE_LIMITED, reservation.wait))


UNGATED = CallGate()
