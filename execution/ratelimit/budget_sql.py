"""The SQL of the shared budgets (PostgreSQL, table provider_budgets): GCRA in one statement.

GCRA (the algorithm under pyrate-limiter's TokenBucket, which InProcessBudgets uses) keeps one
number per budget: the theoretical arrival time TAT, the moment the bucket would be full again.
With an emission interval E = window / allowance (µs per request or per token) and a burst B =
allowance, a weight w is admitted at `now` when

    start = max(TAT, now);   allow_at = start + w·E − B·E;   allow_at <= now

and admitting it sets TAT = start + w·E. Refused, it may go at `allow_at` (the wait is
allow_at − now) and nothing changes. A negative weight (tokens given back) moves TAT back.

ACQUIRE does, for one user × provider, what InProcessBudgets.acquire_now does, atomically:
the request budget (w = 1) first, then the token budget (w = the estimate plus the user's
debt, at most B); both are charged or neither. It is one INSERT … ON CONFLICT DO UPDATE: a
user's first call inserts a row (an empty bucket admits anything up to B), every later one
updates that row under its row lock, each column computed from the row as it was (PostgreSQL
evaluates every SET expression against the old row). Concurrent calls of one user queue on the
row lock and each sees the row its predecessor left: no lost update, no double admission.

Waiting calls queue: each budget keeps the wake-up time of the last call told to wait (its
"line"). A refused call is told max(allow_at, line + w·E), and the line moves there, so N
calls refused together wake one after another, each when the bucket has room for it — the
same turn InProcessBudgets computes from its per-bucket list of waiters, here shared by every
replica. A line in the past is simply behind us (no note to lapse).

RETURNING sees only the new row (before PostgreSQL 18), so the statement also writes the
outcome it computed (verdict, charged) into the row and returns it from there.

Time is integer microseconds, exact in a BIGINT (as pyrate-limiter's GCRA keeps it), from the
database's clock unless a clock is passed in ($3): one clock for every replica, whatever their
own say. Parameters are numbered as in the comments; E = 0 means that budget is off.
"""

from __future__ import annotations

# statement_timestamp(): one value for the whole statement, on the database's clock.
NOW = "COALESCE($3::bigint, (EXTRACT(EPOCH FROM statement_timestamp()) * 1000000)::bigint)"

# $1 owner, $2 provider_id, $3 now (µs, NULL: the database's), $4 E requests, $5 B requests,
# $6 E tokens, $7 B tokens, $8 the call's token estimate.
_R_START = f"GREATEST(b.requests_tat, {NOW})"
_R_ALLOW = f"({_R_START} + $4 - $5 * $4)"
_R_OK = f"($4 = 0 OR {_R_ALLOW} <= {NOW})"
_CHARGE = "LEAST($8 + b.debt, $7)"
_T_START = f"GREATEST(b.tokens_tat, {NOW})"
_T_ALLOW = f"({_T_START} + {_CHARGE} * $6 - $7 * $6)"
_T_OK = f"($6 = 0 OR {_T_ALLOW} <= {NOW})"
_ADMIT = f"({_R_OK} AND {_T_OK})"

_REQUESTS_TAT = f"CASE WHEN {_ADMIT} AND $4 > 0 THEN {_R_START} + $4 ELSE b.requests_tat END"
_TOKENS_TAT = f"CASE WHEN {_ADMIT} AND $6 > 0 THEN {_T_START} + {_CHARGE} * $6 ELSE b.tokens_tat END"
_REQUESTS_LINE = f"CASE WHEN NOT {_R_OK} THEN GREATEST({_R_ALLOW}, b.requests_line + $4) ELSE b.requests_line END"
_TOKENS_LINE = (f"CASE WHEN {_R_OK} AND NOT {_T_OK} THEN GREATEST({_T_ALLOW}, b.tokens_line + {_CHARGE} * $6) "
                "ELSE b.tokens_line END")

ACQUIRE = f"""
INSERT INTO provider_budgets AS b
    (owner, provider_id, requests_tat, requests_line, tokens_tat, tokens_line, debt, verdict, charged, idle_at)
VALUES ($1, $2,
        CASE WHEN $4 > 0 THEN {NOW} + $4 ELSE 0 END, 0,
        CASE WHEN $6 > 0 THEN {NOW} + LEAST($8, $7) * $6 ELSE 0 END, 0,
        0, 0, CASE WHEN $6 > 0 THEN LEAST($8, $7) ELSE 0 END,
        {NOW} + GREATEST($5 * $4, $7 * $6))
ON CONFLICT (owner, provider_id) DO UPDATE SET
    requests_tat = {_REQUESTS_TAT},
    tokens_tat = {_TOKENS_TAT},
    requests_line = {_REQUESTS_LINE},
    tokens_line = {_TOKENS_LINE},
    debt = CASE WHEN {_ADMIT} AND $6 > 0 THEN 0 ELSE b.debt END,
    verdict = CASE WHEN NOT {_R_OK} THEN 1 WHEN NOT {_T_OK} THEN 2 ELSE 0 END,
    charged = CASE WHEN {_ADMIT} AND $6 > 0 THEN GREATEST(0, {_CHARGE} - b.debt) ELSE 0 END,
    idle_at = GREATEST(b.idle_at, {NOW} + GREATEST($5 * $4, $7 * $6), {_REQUESTS_LINE}, {_TOKENS_LINE})
RETURNING ARRAY[verdict,
                CASE verdict WHEN 1 THEN requests_line - {NOW} WHEN 2 THEN tokens_line - {NOW} ELSE 0 END,
                charged]
"""
"""One row's outcome as an array (one value, so it runs through the store's kept connections'
single-value statements): [verdict (0 admitted, 1 requests, 2 tokens), wait in µs, tokens charged]."""

# $1 owner, $2 provider_id, $3 now, $4 E tokens, $5 B tokens, $6 the correction (actual − charged).
# Less than charged: give the difference back (a negative weight). More: charge it if the bucket
# can take it now, else carry it as debt for the user's next call.
_S_START = f"GREATEST(b.tokens_tat, {NOW})"
_S_FITS = f"({_S_START} + $6 * $4 - $5 * $4 <= {NOW})"
SETTLE = f"""
UPDATE provider_budgets AS b SET
    tokens_tat = CASE WHEN $6 < 0 OR {_S_FITS} THEN {_S_START} + $6 * $4 ELSE b.tokens_tat END,
    debt = CASE WHEN $6 > 0 AND NOT {_S_FITS} THEN b.debt + $6 ELSE b.debt END
WHERE owner = $1 AND provider_id = $2
RETURNING debt
"""


def _typed(sql: str, *numbers: int) -> str:
    """Every $N among `numbers` typed BIGINT (PostgreSQL would infer INTEGER from `$N > 0`)."""
    for n in numbers:
        sql = sql.replace(f"${n} ", f"${n}::bigint ").replace(f"${n})", f"${n}::bigint)").replace(f"${n},", f"${n}::bigint,")
    return sql


ACQUIRE = _typed(ACQUIRE, 4, 5, 6, 7, 8)
SETTLE = _typed(SETTLE, 4, 5, 6)

# $1 now. Rows with full buckets, nobody in line and no debt hold nothing worth keeping.
SWEEP = f"""
WITH gone AS (DELETE FROM provider_budgets WHERE idle_at < {NOW.replace("$3", "$1")} AND debt = 0 RETURNING 1)
SELECT count(*) FROM gone
"""
