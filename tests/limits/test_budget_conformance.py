"""The provider budgets' behaviour, the same for every backend behind the ProviderBudgets seam
(InProcessBudgets, PostgresBudgets; tests/limits/conftest.py): what is admitted, how long a
refused call is told to wait, how settlement corrects an estimate. On a clock the test moves,
so every figure is exact."""

from __future__ import annotations

import asyncio

import pytest

from execution.ratelimit.budget import ProviderBudgets, Reservation
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from tests.limits.conftest import MakeBudgets, ManualClock


def per_provider(make_budgets: MakeBudgets, rpm: int = 0, tpm: int = 0) -> ProviderBudgets:
    return make_budgets(BudgetPolicies(by_provider={"mistral": BudgetPolicy(rpm, tpm)}))


async def take(budgets: ProviderBudgets, tokens: int = 0, owner: str = "ann", provider: str = "mistral") -> Reservation:
    return await budgets.acquire(owner, provider, tokens)


async def test_users_and_providers_have_budgets_of_their_own(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, rpm=2)
    assert (await take(b)).admitted and (await take(b)).admitted
    refused = await take(b)
    assert not refused.admitted and refused.wait == pytest.approx(30.0, abs=0.002)  # the next of 2 a minute
    assert refused.limit == "requests" and "2 requests per minute" in refused.budget
    assert (await take(b, owner="bea")).admitted  # another user
    assert (await take(b, provider="claude")).admitted and not b.limits("claude")  # an unlimited provider


async def test_the_budget_refills_as_time_passes(make_budgets: MakeBudgets, clock: ManualClock) -> None:
    b = per_provider(make_budgets, rpm=2)
    await take(b), await take(b)
    clock.advance(29.9)
    assert not (await take(b)).admitted
    clock.advance(0.2)  # 30 s after the burst: room for one
    assert (await take(b)).admitted
    assert not (await take(b)).admitted


async def test_waiting_calls_are_told_their_turn_in_line(make_budgets: MakeBudgets, clock: ManualClock) -> None:
    b = per_provider(make_budgets, rpm=60)
    for _ in range(60):
        assert (await take(b)).admitted
    waits = [(await take(b)).wait for _ in range(3)]
    assert waits == pytest.approx([1.0, 2.0, 3.0], abs=0.002)
    clock.advance(1.0)  # the first in line's turn: it goes, and the line still holds the others
    assert (await take(b)).admitted
    assert (await take(b)).wait == pytest.approx(3.0, abs=0.002)  # behind the two still waiting


async def test_a_refused_token_budget_charges_no_request_either(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, rpm=3, tpm=1000)
    assert (await take(b, 800)).admitted
    refused = await take(b, 800)
    assert not refused.admitted and refused.limit == "tokens"
    assert refused.wait == pytest.approx(36.0, abs=0.002)  # 600 more tokens at 1,000 a minute
    assert (await take(b, 100)).admitted  # the refused call spent no request
    assert (await take(b, 50)).admitted
    assert (await take(b, 1)).limit == "requests"


async def test_settling_gives_back_what_was_overestimated(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, tpm=1000)
    first = await take(b, 900)
    assert first.tokens == 900
    assert not (await take(b, 900)).admitted
    await b.settle(first, 100)
    assert (await take(b, 900)).admitted


async def test_usage_beyond_the_budget_is_paid_by_the_next_call(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, tpm=1000)
    first, second = await take(b, 500), await take(b, 500)
    await b.settle(first, 500)
    await b.settle(second, 900)  # 400 more than charged, and the bucket is empty: a debt
    later = await take(b, 100)
    assert not later.admitted
    assert later.wait == pytest.approx(30.0, abs=0.002)  # 100 + 400 tokens at 1,000 a minute


async def test_usage_beyond_the_estimate_is_charged_when_the_bucket_has_room(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, tpm=1000)
    first = await take(b, 100)
    await b.settle(first, 600)  # fits: charged now, no debt
    assert (await take(b, 400)).admitted
    assert (await take(b, 1)).wait == pytest.approx(0.06, abs=0.002)


async def test_a_paid_debt_is_not_paid_twice(make_budgets: MakeBudgets, clock: ManualClock) -> None:
    b = per_provider(make_budgets, tpm=1000)
    first = await take(b, 1000)
    await b.settle(first, 1300)  # 300 owed
    clock.advance(60)
    paying = await take(b, 100)
    assert paying.admitted and paying.tokens == 100  # its own estimate; the debt was charged beside it
    clock.advance(60)
    assert (await take(b, 800)).tokens == 800  # nothing owed any more: a full budget, 800 of it this call's
    assert (await take(b, 200)).admitted


async def test_a_call_larger_than_the_whole_budget_waits_for_a_full_bucket(make_budgets: MakeBudgets) -> None:
    b = per_provider(make_budgets, tpm=1000)
    assert (await take(b, 5000)).tokens == 1000
    assert (await take(b, 5000)).wait == pytest.approx(60.0, abs=0.002)


async def test_the_default_budget_applies_to_every_provider_not_named(make_budgets: MakeBudgets) -> None:
    b = make_budgets(BudgetPolicies(BudgetPolicy(requests_per_minute=1),
                                    {"claude": BudgetPolicy(requests_per_minute=2)}))
    assert b.limits("mistral") and b.limits("claude")
    assert (await take(b, provider="mistral")).admitted and not (await take(b, provider="mistral")).admitted
    assert (await take(b, provider="claude")).admitted and (await take(b, provider="claude")).admitted


async def test_calls_at_once_never_exceed_the_budget(make_budgets: MakeBudgets) -> None:
    """Forty calls of one user at once (on PostgreSQL: concurrent statements on the one row)."""
    b = per_provider(make_budgets, rpm=10)
    results = await asyncio.gather(*(take(b) for _ in range(40)))
    assert sum(r.admitted for r in results) == 10
    waits = sorted(r.wait for r in results if not r.admitted)
    assert waits == pytest.approx([6.0 * (i + 1) for i in range(30)], abs=0.002)  # each its own turn
