"""PostgresBudgets: the provider budgets of every replica sharing one PostgreSQL database.

The same budgets as InProcessBudgets (in_process.py) — a request bucket and a token bucket
per user × provider, GCRA underneath, all-or-nothing admission, estimates settled to the
reported usage, debt carried to the user's next call, waiting calls told their turn — kept in
one row of `provider_budgets` per user × provider, so a user's calls through any replica draw
on one budget. The algorithm and its statements are in budget_sql.py.

Costs: one statement (one round trip, its own transaction) per acquire, run on the run store's
kept connections (no pool ping per call); a settle only when the usage differs from the charge;
a sweep of idle rows every SWEEP_EVERY acquires of this process. Concurrent calls of one user
serialise on the row's lock for the length of one UPDATE.

Where the semantics differ from InProcessBudgets: the line of waiting calls is shared by every
replica (in-process it is per process); the clock is the database's (replicas need not agree
on the time), so a wait is measured from the statement's start; and a budget's numbers are
this process's settings — replicas must be configured alike, as they must for everything else.

When the database cannot be reached, a call is not sent (fail closed: no budget could be
checked): acquire raises RateLimited, retryable, naming the provider. A settlement that cannot
be written is logged and dropped (the call has happened; only the correction is lost).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from math import ceil
from typing import Any

from execution.errors import RateLimited
from execution.ratelimit import budget_sql
from execution.ratelimit.budget import Reservation
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from execution.store.base import StoreUnavailable
from execution.store.sql.transactions import Transactions

log = logging.getLogger(__name__)

SWEEP_EVERY = 4096
# Connections kept for the budgets' statements (idle between calls; more check out while more
# calls run at once): a call from a kept one skips the pool's ping (three round trips).
KEEP = 4
_REQUESTS, _TOKENS = 1, 2

# Milliseconds now (pyrate-limiter's clocks' unit); None: the database's clock.
Clock = Callable[[], int]


def emission_us(allowance: int, interval: float) -> int:
    """Microseconds per unit of a budget (0: no budget); rounded up, as pyrate-limiter's GCRA does,
    so a budget that does not divide evenly errs on the strict side."""
    return max(1, ceil(interval * 1_000_000 / allowance)) if allowance else 0


class PostgresBudgets:
    """ProviderBudgets (execution.ratelimit.budget) in the run store's PostgreSQL database."""

    def __init__(self, policies: BudgetPolicies, transactions: Transactions, *, clock: Clock | None = None) -> None:
        """`transactions`: the run store's (SqlRunStore.transactions), whose engine and kept
        connections the statements use. `clock`: tests' time in ms; default the database's."""
        self._policies = policies
        self._tx = transactions
        self._clock = clock
        self._until_sweep = SWEEP_EVERY

    def limits(self, provider_id: str) -> bool:
        return self._policies.for_provider(provider_id).active

    def _now_us(self) -> int | None:
        return None if self._clock is None else self._clock() * 1000

    async def acquire(self, owner: str, provider_id: str, tokens: int) -> Reservation:
        policy = self._policies.for_provider(provider_id)
        if not policy.active:
            return Reservation(owner, provider_id)
        rpm, tpm = policy.requests_per_minute, policy.tokens_per_minute
        parameters = (owner, provider_id, self._now_us(), emission_us(rpm, policy.interval), rpm,
                      emission_us(tpm, policy.interval), tpm, max(0, tokens))
        try:
            verdict, wait_us, charged = await self._statement(budget_sql.ACQUIRE, parameters)
        except StoreUnavailable as error:
            raise RateLimited(f"{provider_id}: this user's budget cannot be checked now (the shared budget store "
                              f"is unavailable: {error}); try again later") from None
        await self._tick()
        if verdict == _REQUESTS:
            return _refused(owner, provider_id, wait_us, "requests", rpm, policy)
        if verdict == _TOKENS:
            return _refused(owner, provider_id, wait_us, "tokens", tpm, policy)
        return Reservation(owner, provider_id, tokens=charged)

    async def settle(self, reservation: Reservation, actual_tokens: int) -> None:
        policy = self._policies.for_provider(reservation.provider_id)
        tpm = policy.tokens_per_minute
        extra = actual_tokens - reservation.tokens
        if not tpm or not reservation.admitted or not extra:
            return
        parameters = (reservation.owner, reservation.provider_id, self._now_us(), emission_us(tpm, policy.interval),
                      tpm, extra)
        try:
            await self._statement(budget_sql.SETTLE, parameters)
        except StoreUnavailable as error:
            log.warning("%s: a settlement of %d tokens was not written: %s", reservation.provider_id, extra, error)

    async def sweep(self) -> int:
        """Drop idle rows (full buckets, nobody in line, no debt); how many went."""
        return int(await self._statement(budget_sql.SWEEP, (self._now_us(),)))

    async def _statement(self, sql: str, parameters: tuple[object, ...]) -> Any:
        return await self._tx.statement(sql, parameters, lane="budgets", keep=KEEP)

    async def _tick(self) -> None:
        self._until_sweep -= 1
        if self._until_sweep > 0:
            return
        self._until_sweep = SWEEP_EVERY
        try:
            await self.sweep()
        except StoreUnavailable as error:
            log.warning("idle provider budgets were not swept: %s", error)


def _refused(owner: str, provider_id: str, wait_us: int, limit: str, allowance: int,
             policy: BudgetPolicy) -> Reservation:
    # A wait of 0 µs cannot be told (0 reads as admitted): at least a microsecond.
    return Reservation(owner, provider_id, wait=max(wait_us, 1) / 1_000_000, limit=limit, allowance=allowance,
                       interval=policy.interval)
