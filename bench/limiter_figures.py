"""Figure 10: what the provider budgets add to one provider call.

One call's limiter work, as ChatCall.send does it: estimate the request's tokens, pass the
node's gate (the budgets' acquire: a request bucket and a token bucket), and settle the charge
to the usage the provider reported. InProcessBudgets with budgets large enough that every call
is admitted (the common path), over 1,000 users so the map is not a one-entry toy; the request
is a typical storyteller prompt (~2 KB). Floor: the same calls through the default gate (no
budgets: what a call costs with limits off). A second row times a refused call (the budget is
spent; the wait is computed and nothing charged), the path a waiting node takes once per wait.
The rows after them are the shared backend's, PostgresBudgets (shared_budget_figures.py).
"""

from __future__ import annotations

import time

from bench.report import Figure
from bench.shared_budget_figures import shared_budgets
from bench.stats import median
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.ratelimit.estimate import estimate_tokens
from execution.ratelimit.gate import UNGATED, CallGate
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy

USERS = 1000
REQUEST = ChatRequest(messages=(ChatMessage("user", "Write a short story about a lighthouse keeper. " * 45),),
                      model="labs-mistral-small-creative", temperature=0.95, max_tokens=1024)


async def _per_call_us(gates: list[CallGate], calls: int) -> float:
    started = time.perf_counter_ns()
    for i in range(calls):
        gate = gates[i % len(gates)]
        budgets = gate.budgets
        tokens = estimate_tokens(REQUEST) if budgets.limits("mistral") else 0
        reservation = await gate.admit("mistral", tokens)
        await budgets.settle(reservation, 700)
    return (time.perf_counter_ns() - started) / calls / 1000


async def _refused_us(calls: int) -> float:
    spent = InProcessBudgets(BudgetPolicies(BudgetPolicy(requests_per_minute=1)))
    spent.acquire_now("ann", "mistral", 0)
    started = time.perf_counter_ns()
    for _ in range(calls):
        spent.acquire_now("ann", "mistral", 1000)
    return (time.perf_counter_ns() - started) / calls / 1000


async def limiter(quick: bool) -> list[Figure]:
    calls, repeats = (5_000, 3) if quick else (20_000, 7)
    budgets = InProcessBudgets(BudgetPolicies(BudgetPolicy(requests_per_minute=10**9, tokens_per_minute=10**12)))
    limited = [CallGate(f"user-{u}", budgets) for u in range(USERS)]
    await _per_call_us(limited, calls)  # warm-up: every user's budget exists
    values, floors = [], []
    for _ in range(repeats):
        values.append(await _per_call_us(limited, calls))
        floors.append(await _per_call_us([UNGATED], calls))
    value, floor = median(values), median(floors)
    refused = median([await _refused_us(calls // 10) for _ in range(repeats)])
    return [
        Figure("10 limiter", "budgets per provider call (estimate, acquire, settle)", "µs", value, floor,
               target="≤ 50", ok=value <= 50,
               note=f"InProcessBudgets, RPM and TPM both on, {USERS:,} users; floor = no budgets"),
        Figure("10 limiter", "a refused call (wait computed, nothing charged)", "µs", refused,
               note="once per wait of a node over its budget"),
        *await shared_budgets(quick),
    ]
