"""Resilience every provider call goes through: retries, a per-call timeout, and a
per-provider concurrency limit. Policies are frozen data; tenacity executes them.

Only errors marked retryable are retried (ProviderError(retryable=True), NodeTimeout), and
only while the caller's `may_retry` veto allows it (a stream that already reached the client
must not start over). A caller that waits for rate limits itself (a chat call: providers.call,
without holding any slot meanwhile) has a 429 (ProviderRateLimited) raised to it at once.
The wait before a retry is the exponential back-off, or the vendor's
Retry-After when it is longer (capped by `max_retry_after`, beyond which waiting is
pointless: fail instead).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from execution.errors import NodeError, NodeTimeout, ProviderError, ProviderRateLimited

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 3
    initial_backoff: float = 0.5
    max_backoff: float = 8.0
    multiplier: float = 2.0
    # A Retry-After longer than this is not waited for: the error is raised at once.
    max_retry_after: float = 30.0
    # Limit for one attempt (a whole streamed response included), in seconds.
    timeout: float = 120.0


@dataclass(frozen=True, slots=True)
class CallPolicy:
    retry: RetryPolicy = RetryPolicy()
    # Calls in flight at once to one provider, across all runs of this process.
    max_concurrency: int = 8


def backoff(policy: RetryPolicy, attempt: int) -> float:
    """The exponential back-off before retry number `attempt` (1, 2, …)."""
    return min(policy.max_backoff, policy.initial_backoff * policy.multiplier ** (attempt - 1))


def _should_retry(policy: RetryPolicy, may_retry: Callable[[], bool] | None = None,
                  rate_limits_to_caller: bool = False) -> Callable[[tenacity.RetryCallState], bool]:
    def decide(state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, NodeError) or not exc.retryable:
            return False
        if rate_limits_to_caller and isinstance(exc, ProviderRateLimited):
            return False
        if may_retry is not None and not may_retry():
            return False
        hint = getattr(exc, "retry_after", None)
        return hint is None or hint <= policy.max_retry_after

    return decide


def _wait(policy: RetryPolicy) -> Callable[[tenacity.RetryCallState], float]:
    backoff = tenacity.wait_exponential(multiplier=policy.initial_backoff, exp_base=policy.multiplier,
                                        max=policy.max_backoff)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = exc.retry_after if isinstance(exc, ProviderError) and exc.retry_after is not None else 0.0
        return max(float(backoff(state)), hint)

    return wait


async def call_with_retries(attempt: Callable[[], Awaitable[T]], policy: RetryPolicy, *, what: str,
                            may_retry: Callable[[], bool] | None = None, rate_limits_to_caller: bool = False) -> T:
    """Run `attempt` under the policy; each attempt is bounded by `policy.timeout`.

    `attempt` must raise only our own errors (its vendor's error boundary maps the rest).
    `may_retry`, when given, is asked before each retry; False ends the call with the error.
    `rate_limits_to_caller`: a 429 (ProviderRateLimited) is raised at once, not retried here.
    """

    async def bounded() -> T:
        try:
            async with asyncio.timeout(policy.timeout):
                return await attempt()
        except TimeoutError:
            raise NodeTimeout(f"{what} timed out after {policy.timeout:g} s") from None

    retrying = tenacity.AsyncRetrying(
        stop=tenacity.stop_after_attempt(policy.max_attempts),
        wait=_wait(policy),
        retry=_should_retry(policy, may_retry, rate_limits_to_caller),
        reraise=True,
    )
    return await retrying(bounded)


class ConcurrencyLimits:
    """One semaphore per provider id, created on first use."""

    def __init__(self, default_limit: int = 8, limits: dict[str, int] | None = None) -> None:
        self._default = default_limit
        self._limits = dict(limits or {})
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    def limit_for(self, provider_id: str) -> int:
        return self._limits.get(provider_id, self._default)

    def slot(self, provider_id: str) -> asyncio.Semaphore:
        sem = self._semaphores.get(provider_id)
        if sem is None:
            sem = self._semaphores[provider_id] = asyncio.Semaphore(self.limit_for(provider_id))
        return sem
