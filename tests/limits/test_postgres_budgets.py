"""What only PostgresBudgets does: keep every replica's budgets in one database — on the
database's clock, with one line of waiting calls — drop idle rows, and refuse to send a call
whose budget cannot be checked. (What every backend does is test_budget_conformance.py.)"""

from __future__ import annotations

import logging

import pytest

from execution.errors import RateLimited
from execution.ratelimit.budget import Reservation
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from execution.ratelimit.postgres_budgets import PostgresBudgets
from execution.store.open import open_store
from execution.store.sql.engine import make_engine
from execution.store.sql.store import SqlRunStore
from execution.store.sql.transactions import Transactions
from execution.store.urls import parse_store_url
from tests.limits.conftest import ManualClock

MISTRAL = BudgetPolicies(by_provider={"mistral": BudgetPolicy(requests_per_minute=3, tokens_per_minute=1000)})


async def test_on_the_database_clock_a_refused_call_waits_for_its_turn(budget_store: SqlRunStore) -> None:
    b = PostgresBudgets(MISTRAL, budget_store.transactions)
    for _ in range(3):
        assert (await b.acquire("ann", "mistral", 10)).admitted
    refused = await b.acquire("ann", "mistral", 10)
    assert not refused.admitted and refused.limit == "requests"
    assert 19.0 < refused.wait <= 20.0  # the next of 3 a minute, less the time the three statements took


async def test_two_replicas_draw_on_one_budget_and_wait_in_one_line(budget_url: str, budget_store: SqlRunStore,
                                                                   clock: ManualClock) -> None:
    other = await open_store(budget_url)  # a second engine and pool: another replica
    assert isinstance(other, SqlRunStore)
    try:
        a = PostgresBudgets(MISTRAL, budget_store.transactions, clock=clock)
        b = PostgresBudgets(MISTRAL, other.transactions, clock=clock)
        assert (await a.acquire("ann", "mistral", 0)).admitted and (await a.acquire("ann", "mistral", 0)).admitted
        assert (await b.acquire("ann", "mistral", 0)).admitted
        first, second = await b.acquire("ann", "mistral", 0), await a.acquire("ann", "mistral", 0)
        assert (first.wait, second.wait) == pytest.approx((20.0, 40.0), abs=0.002)
        assert (await b.acquire("bea", "mistral", 0)).admitted
    finally:
        await other.close()


async def test_idle_rows_are_swept_and_owed_ones_kept(budget_store: SqlRunStore, clock: ManualClock) -> None:
    b = PostgresBudgets(MISTRAL, budget_store.transactions, clock=clock)
    for user in ("ann", "bea", "cid"):
        await b.acquire(user, "mistral", 100)
    owed = await b.acquire("dan", "mistral", 1000)
    await b.settle(owed, 1500)  # 500 beyond a full bucket: a debt
    clock.advance(30)
    assert await b.sweep() == 0  # nothing idle yet: buckets refill over a minute
    await b.acquire("ann", "mistral", 100)
    clock.advance(31)
    assert await b.sweep() == 2  # bea and cid; ann was active 31 s ago; dan owes
    # The debt survived: 600 + 500 owed is charged as a whole bucket, 500 of it the debt.
    later = await b.acquire("dan", "mistral", 600)
    assert later.admitted and later.tokens == 500
    assert (await b.acquire("dan", "mistral", 1)).limit == "tokens"


async def test_an_unreachable_database_refuses_the_call_and_drops_the_settlement(
        caplog: pytest.LogCaptureFixture) -> None:
    url = parse_store_url("postgresql://flowexec:s3cret-pw@127.0.0.1:1/nowhere")
    tx = Transactions(make_engine(url), url.printable)
    b = PostgresBudgets(MISTRAL, tx)
    try:
        with pytest.raises(RateLimited) as refused:
            await b.acquire("ann", "mistral", 10)
        assert refused.value.retryable and "mistral" in refused.value.message
        assert "s3cret-pw" not in refused.value.message
        with caplog.at_level(logging.WARNING):
            await b.settle(Reservation("ann", "mistral", tokens=10), 50)
        assert "not written" in caplog.text and "s3cret-pw" not in caplog.text
    finally:
        await tx.close()
