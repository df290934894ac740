"""What only InProcessBudgets does: keep budgets in memory, and drop the idle ones. (What every
backend does — admission, waits, settlement — is tests/limits/test_budget_conformance.py.)"""

from __future__ import annotations

import time

import pytest

from execution.ratelimit import in_process
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy


def test_idle_budgets_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(in_process, "SWEEP_EVERY", 10)
    b = InProcessBudgets(BudgetPolicies(BudgetPolicy(requests_per_minute=1, interval=0.05)))
    for user in range(9):
        b.acquire_now(f"user-{user}", "mistral", 0)
    time.sleep(0.06)  # their buckets are full again
    assert b.acquire_now("ann", "mistral", 0).admitted  # the tenth new budget: a sweep first
    assert len(b) == 1
    assert not b.acquire_now("ann", "mistral", 0).admitted  # ann's own charge survived the sweep
