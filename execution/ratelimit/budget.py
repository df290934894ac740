"""The provider budget seam: what the engine asks of whatever keeps the budgets.

    acquire(owner, provider_id, tokens) -> Reservation
        Charge one request and `tokens` (an estimate) to the owner's budget for the provider
        when both fit now (`wait == 0`); otherwise charge nothing and say how long, in seconds,
        until they may fit (`wait > 0`). The caller waits that long, without holding a slot,
        and asks again.
    settle(reservation, actual_tokens)
        Correct an admitted reservation's token charge to what the provider reported.

The in-process backend (in_process.InProcessBudgets) is exact within one process; replicas
sharing a PostgreSQL store share postgres_budgets.PostgresBudgets, the same token-bucket state
in one row per user × provider (choice.py picks). The engine does not change. Both methods are
coroutines for that reason, though the in-process one never suspends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Reservation:
    owner: str
    provider_id: str
    # Tokens charged on admission (the estimate, after any carried-over overuse); settle corrects it.
    tokens: int = 0
    # 0: admitted. Else the seconds until the budget may have room, nothing charged.
    wait: float = 0.0
    # What ran out, for messages: "requests" or "tokens" ("" when admitted).
    limit: str = ""
    # The budget that ran out: `allowance` per `interval` seconds (for messages).
    allowance: int = 0
    interval: float = 60.0

    @property
    def admitted(self) -> bool:
        return self.wait <= 0.0

    @property
    def budget(self) -> str:
        """The budget that ran out, as a message says it: "60 requests per minute"."""
        per = "minute" if self.interval == 60.0 else f"{self.interval:g} s"
        return f"{self.allowance:,} {self.limit} per {per}"


class ProviderBudgets(Protocol):
    def limits(self, provider_id: str) -> bool:
        """True when a budget applies to calls to this provider (else acquire always admits,
        and callers may skip the estimate)."""
        ...

    async def acquire(self, owner: str, provider_id: str, tokens: int) -> Reservation: ...

    async def settle(self, reservation: Reservation, actual_tokens: int) -> None: ...


class Unlimited:
    """No budgets: every call is admitted at once."""

    def limits(self, provider_id: str) -> bool:
        return False

    async def acquire(self, owner: str, provider_id: str, tokens: int) -> Reservation:
        return Reservation(owner, provider_id)

    async def settle(self, reservation: Reservation, actual_tokens: int) -> None:
        return None


UNLIMITED = Unlimited()
