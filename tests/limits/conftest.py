"""The budget conformance suite's fixtures: every budget test runs once per backend behind the
ProviderBudgets seam — InProcessBudgets and PostgresBudgets (a real PostgreSQL, the suite's
shared database emptied for the test) — on a clock the test moves (`ManualClock`).

`make_budgets(policies)` builds a backend of the test's kind on the test's clock; several built
in one test share their PostgreSQL rows (two replicas) but not their memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from execution.ratelimit.budget import ProviderBudgets
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies
from execution.ratelimit.postgres_budgets import PostgresBudgets
from execution.store.base import RunStore
from execution.store.open import open_store
from execution.store.sql.store import SqlRunStore
from tests.store.postgres import PostgresForTests

BUDGET_KINDS = ["in_process", "postgres"]

MakeBudgets = Callable[[BudgetPolicies], ProviderBudgets]


@dataclass
class ManualClock:
    """Milliseconds that move only when the test says (from an epoch-like start, as a wall clock)."""

    ms: int = 1_800_000_000_000

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += round(seconds * 1000)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=BUDGET_KINDS)
def budget_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def budget_url(tuned_postgres: PostgresForTests) -> str:
    """The suite's shared PostgreSQL database, every table emptied."""
    return tuned_postgres.url(await tuned_postgres.emptied_shared_database())


@pytest.fixture
async def budget_store(budget_url: str) -> AsyncIterator[SqlRunStore]:
    """A run store on `budget_url`."""
    store = await open_store(budget_url)
    assert isinstance(store, SqlRunStore)
    yield store
    await store.close()


@pytest.fixture
def budget_store_or_none(budget_kind: str, request: pytest.FixtureRequest) -> RunStore | None:
    return request.getfixturevalue("budget_store") if budget_kind == "postgres" else None


@pytest.fixture
def make_budgets(budget_kind: str, budget_store_or_none: SqlRunStore | None, clock: ManualClock) -> MakeBudgets:
    def make(policies: BudgetPolicies) -> ProviderBudgets:
        if budget_store_or_none is None:
            return InProcessBudgets(policies, clock=clock)
        return PostgresBudgets(policies, budget_store_or_none.transactions, clock=clock)

    return make
