"""InProcessBudgets, the one-process backend behind the ProviderBudgets seam: what it admits,
how long it says to wait, and how settlement corrects an estimate."""

from __future__ import annotations

import time

import pytest

from execution.ratelimit import in_process
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy


def budgets(rpm: int = 0, tpm: int = 0) -> InProcessBudgets:
    return InProcessBudgets(BudgetPolicies(by_provider={"mistral": BudgetPolicy(rpm, tpm)}))


def test_users_and_providers_have_budgets_of_their_own() -> None:
    b = budgets(rpm=2)
    assert b.acquire_now("ann", "mistral", 0).admitted and b.acquire_now("ann", "mistral", 0).admitted
    refused = b.acquire_now("ann", "mistral", 0)
    assert not refused.admitted and 29 <= refused.wait <= 30.1  # the next request of 2 a minute
    assert "2 requests per minute" in refused.budget
    assert b.acquire_now("bea", "mistral", 0).admitted  # another user
    assert b.acquire_now("ann", "claude", 0).admitted and not b.limits("claude")  # an unlimited provider


def test_waiting_calls_are_told_their_turn_in_line() -> None:
    b = budgets(rpm=60)
    for _ in range(60):
        assert b.acquire_now("ann", "mistral", 0).admitted
    waits = [b.acquire_now("ann", "mistral", 0).wait for _ in range(3)]
    assert waits == pytest.approx([1.0, 2.0, 3.0], abs=0.01)


async def test_a_refused_token_budget_charges_no_request_either() -> None:
    b = budgets(rpm=3, tpm=1000)
    assert b.acquire_now("ann", "mistral", 800).admitted
    refused = b.acquire_now("ann", "mistral", 800)
    assert not refused.admitted and refused.limit == "tokens"
    assert b.acquire_now("ann", "mistral", 100).admitted  # the refused call spent no request
    assert b.acquire_now("ann", "mistral", 50).admitted
    assert b.acquire_now("ann", "mistral", 1).limit == "requests"


async def test_settling_gives_back_what_was_overestimated() -> None:
    b = budgets(tpm=1000)
    first = b.acquire_now("ann", "mistral", 900)
    assert not b.acquire_now("ann", "mistral", 900).admitted
    await b.settle(first, 100)
    assert b.acquire_now("ann", "mistral", 900).admitted


async def test_usage_beyond_the_budget_is_paid_by_the_next_call() -> None:
    b = budgets(tpm=1000)
    first = b.acquire_now("ann", "mistral", 500)
    second = b.acquire_now("ann", "mistral", 500)
    await b.settle(first, 500)
    await b.settle(second, 900)  # 400 more than charged, and the bucket is empty: a debt
    later = b.acquire_now("ann", "mistral", 100)
    assert not later.admitted
    assert later.wait == pytest.approx(30.0, abs=0.1)  # 100 + 400 tokens at 1000 a minute


def test_a_call_larger_than_the_whole_budget_waits_for_a_full_bucket() -> None:
    b = budgets(tpm=1000)
    assert b.acquire_now("ann", "mistral", 5000).tokens == 1000
    assert b.acquire_now("ann", "mistral", 5000).wait == pytest.approx(60.0, abs=0.1)


def test_idle_budgets_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(in_process, "SWEEP_EVERY", 10)
    b = InProcessBudgets(BudgetPolicies(BudgetPolicy(requests_per_minute=1, interval=0.05)))
    for user in range(9):
        b.acquire_now(f"user-{user}", "mistral", 0)
    time.sleep(0.06)  # their buckets are full again
    assert b.acquire_now("ann", "mistral", 0).admitted  # the tenth new budget: a sweep first
    assert len(b) == 1
    assert not b.acquire_now("ann", "mistral", 0).admitted  # ann's own charge survived the sweep
