"""Which ProviderBudgets a server uses: shared in the database when its run store is shared.

A run store that several processes share (PostgreSQL: it has leases) gets PostgresBudgets on
the same database, so every replica draws on one budget per user × provider; `shared=False`
(FLOWEXEC_SHARED_BUDGETS=false) keeps them in each process. Any other store (SQLite, memory:
one process) gets InProcessBudgets. No budgets configured: UNLIMITED, whatever the store.
"""

from __future__ import annotations

from execution.ratelimit.budget import UNLIMITED, ProviderBudgets
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies
from execution.store.base import RunStore


def budgets_beside(run_store: RunStore, policies: BudgetPolicies, *, shared: bool = True) -> ProviderBudgets:
    if not policies.active:
        return UNLIMITED
    from execution.store.sql.store import SqlRunStore

    if shared and isinstance(run_store, SqlRunStore) and run_store.leases is not None:
        from execution.ratelimit.postgres_budgets import PostgresBudgets

        return PostgresBudgets(policies, run_store.transactions)
    return InProcessBudgets(policies)
