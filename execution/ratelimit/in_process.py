"""InProcessBudgets: the provider budgets of one process, on pyrate-limiter token buckets.

Each user × provider has up to two buckets — requests and tokens — each holding a minute's
budget and refilling continuously (pyrate-limiter's TokenBucket, GCRA underneath: one number
of state per bucket whatever the traffic, and the wait for a refused weight in closed form).
Admission is all or nothing: the request bucket first; when the token bucket then refuses,
the request is given back (a negative weight, which GCRA applies by moving its theoretical
arrival time back, so nothing is lost or double-counted).

Estimates and settlement: a call is charged its estimate on admission; `settle` moves the
charge to what the provider reported. Less: the difference is given back. More: it is charged,
or, when the bucket cannot take it now, carried as a debt that the user's next call to that
provider pays with its own estimate. A call larger than the whole token budget is charged the
whole budget (it waits for a full bucket, then goes) rather than never going.

Waiting calls queue: a refused call is told the bucket's wait for its weight plus the weight
of the calls already told to wait on the same bucket (times the refill interval), so N waiting
nodes wake one after another rather than all at once, and each estimate says roughly when its
turn comes. A refused call leaves no trace beyond that note, which lapses when its wait has
passed (or if it never comes back).

Idle budgets (buckets full again, no debt, nobody waiting) are dropped every SWEEP_EVERY
admissions, so memory follows the users active in the last minute.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import cast

from pyrate_limiter import (
    Decision,
    InMemoryStateStore,
    MonotonicClock,
    Rate,
    RateItem,
    StateBucket,
    TokenBucket,
)

from execution.ratelimit.budget import Reservation
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy

SWEEP_EVERY = 4096
_ITEM = "budget"
_ALGORITHM = TokenBucket()


class _Bucket:
    """One budget (requests or tokens per minute) and the calls told to wait for it."""

    __slots__ = ("_bucket", "_queued", "_unit_ms", "_waiting", "allowance", "interval")

    def __init__(self, allowance: int, interval: float) -> None:
        interval_ms = round(interval * 1000)
        self._bucket = StateBucket([Rate(allowance, interval_ms)], algorithm=_ALGORITHM, store=InMemoryStateStore())
        self.allowance = allowance
        self.interval = interval
        self._unit_ms = interval_ms / allowance
        # (wake-up time in ms, weight) of the calls told to wait, in the order told (their wake-up
        # times rise with it: each is told to wait behind the ones before), and their weight.
        self._waiting: deque[tuple[float, int]] = deque()
        self._queued = 0

    def take(self, now: int, weight: int) -> float:
        """Charge `weight` when it fits (0.0); else the milliseconds until its turn."""
        # The in-memory store is synchronous: put and put_decision return plain values.
        decision = cast(Decision, self._bucket.put_decision(RateItem(_ITEM, now, weight)))
        if decision.allowed:
            return 0.0
        self._lapse(now)
        wait = float(decision.retry_after_ms or 1) + self._queued * self._unit_ms
        self._waiting.append((now + wait, weight))
        self._queued += weight
        return wait

    def _lapse(self, now: int) -> None:
        waiting = self._waiting
        while waiting and waiting[0][0] <= now:
            self._queued -= waiting.popleft()[1]

    def force(self, now: int, weight: int) -> bool:
        """Charge `weight` if it fits now; False (nothing charged) if not."""
        return cast(bool, self._bucket.put(RateItem(_ITEM, now, weight)))

    def give_back(self, now: int, weight: int) -> None:
        if weight > 0:
            self._bucket.put(RateItem(_ITEM, now, -weight))

    def idle(self, now: int) -> bool:
        self._lapse(now)
        return not self._waiting and self._bucket.count() == 0


class _Budget:
    __slots__ = ("debt", "requests", "tokens")

    def __init__(self, policy: BudgetPolicy) -> None:
        rpm, tpm = policy.requests_per_minute, policy.tokens_per_minute
        self.requests = _Bucket(rpm, policy.interval) if rpm else None
        self.tokens = _Bucket(tpm, policy.interval) if tpm else None
        # Tokens used beyond what could be charged when the call settled; the next call pays them.
        self.debt = 0


class InProcessBudgets:
    """ProviderBudgets (execution.ratelimit.budget) kept in this process's memory."""

    def __init__(self, policies: BudgetPolicies, *, clock: Callable[[], int] | None = None) -> None:
        """`clock`: milliseconds now (tests' time); default a monotonic clock."""
        self._policies = policies
        self._budgets: dict[tuple[str, str], _Budget] = {}
        self._now = clock or MonotonicClock().now
        self._until_sweep = SWEEP_EVERY

    def limits(self, provider_id: str) -> bool:
        return self._policies.for_provider(provider_id).active

    async def acquire(self, owner: str, provider_id: str, tokens: int) -> Reservation:
        return self.acquire_now(owner, provider_id, tokens)

    def acquire_now(self, owner: str, provider_id: str, tokens: int) -> Reservation:
        """`acquire`, without the coroutine (it never waits)."""
        key = (owner, provider_id)
        budget = self._budgets.get(key)
        if budget is None:
            policy = self._policies.for_provider(provider_id)
            if not policy.active:
                return Reservation(owner, provider_id)
            self._tick()  # before the new budget goes in: it is idle until charged below
            budget = self._budgets[key] = _Budget(policy)
        now = self._now()
        requests, bucket = budget.requests, budget.tokens
        if requests is not None and (wait := requests.take(now, 1)):
            return Reservation(owner, provider_id, wait=wait / 1000, limit="requests", allowance=requests.allowance,
                               interval=requests.interval)
        if bucket is None:
            return Reservation(owner, provider_id)
        charge = min(tokens + budget.debt, bucket.allowance)
        if wait := bucket.take(now, charge):
            if requests is not None:
                requests.give_back(now, 1)
            return Reservation(owner, provider_id, wait=wait / 1000, limit="tokens", allowance=bucket.allowance,
                               interval=bucket.interval)
        estimate = max(0, charge - budget.debt)
        budget.debt = 0
        return Reservation(owner, provider_id, tokens=estimate)

    async def settle(self, reservation: Reservation, actual_tokens: int) -> None:
        budget = self._budgets.get((reservation.owner, reservation.provider_id))
        if budget is None or budget.tokens is None or not reservation.admitted:
            return
        now = self._now()
        extra = actual_tokens - reservation.tokens
        if extra < 0:
            budget.tokens.give_back(now, -extra)
        elif extra > 0 and not budget.tokens.force(now, extra):
            budget.debt += extra

    def _tick(self) -> None:
        self._until_sweep -= 1
        if self._until_sweep > 0:
            return
        self._until_sweep = SWEEP_EVERY
        now = self._now()
        for key, budget in list(self._budgets.items()):
            if not budget.debt and all(b is None or b.idle(now) for b in (budget.requests, budget.tokens)):
                del self._budgets[key]

    def __len__(self) -> int:
        """Budgets held (users × providers seen recently)."""
        return len(self._budgets)
