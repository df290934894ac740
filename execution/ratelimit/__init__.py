"""Limits on what one user may spend: provider budgets (requests and tokens per minute, per
user × provider), the cap on a user's running nodes, and the gate through which a live
provider call waits for a budget without holding its node's slot.

    budget.py       the seam: ProviderBudgets (acquire → Reservation, settle), Unlimited
    policy.py       BudgetPolicy / BudgetPolicies: the per-provider numbers, as data
    in_process.py   InProcessBudgets: the one-process backend (pyrate-limiter token buckets)
    postgres_budgets.py  PostgresBudgets: the backend replicas share (one PostgreSQL row per
                    user × provider); budget_sql.py its statements and the algorithm
    choice.py       which backend a server uses (shared when its run store is)
    estimate.py     a chat request's token estimate, charged before the call
    gate.py         CallGate: whose budget a call spends and how its node waits (Wait, Pause)
    user_caps.py    UserCaps: running nodes per user (NodeSlots); a user's runs are capped by
                    the run manager's admission (execution.runs.admission)
"""
