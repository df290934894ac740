"""Which budgets a server keeps: shared in PostgreSQL when its store is (unless told not to),
in the process with SQLite or memory, none when no budget is configured."""

from __future__ import annotations

from pathlib import Path

from execution.ratelimit.budget import UNLIMITED
from execution.ratelimit.choice import budgets_beside
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from execution.ratelimit.postgres_budgets import PostgresBudgets
from execution.store.memory import MemoryRunStore
from execution.store.open import open_store
from execution.store.sql.store import SqlRunStore

RPM = BudgetPolicies(BudgetPolicy(requests_per_minute=10))


async def test_a_shared_store_shares_the_budgets_unless_told_not_to(budget_store: SqlRunStore) -> None:
    assert isinstance(budgets_beside(budget_store, RPM), PostgresBudgets)
    assert isinstance(budgets_beside(budget_store, RPM, shared=False), InProcessBudgets)
    assert budgets_beside(budget_store, BudgetPolicies()) is UNLIMITED


async def test_one_process_stores_keep_the_budgets_in_the_process(tmp_path: Path) -> None:
    sqlite = await open_store(f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        assert isinstance(budgets_beside(sqlite, RPM), InProcessBudgets)
    finally:
        await sqlite.close()
    assert isinstance(budgets_beside(MemoryRunStore(), RPM), InProcessBudgets)
