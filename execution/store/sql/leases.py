"""PostgreSQL: run claims shared by the replicas of one database (the Leases of store.base).

A takeover locks the candidate runs' rows `FOR UPDATE SKIP LOCKED`, so replicas looking for
work at the same time split it instead of queueing on each other, and re-checks the expiry in
the claim's upsert. A run without a claim (created before this revision, or its creator died
between storing it and claiming it) counts as claimed until `lease_seconds` after its creation.
Renewal is not here: the heartbeat renews on a connection of its own (execution.runs.heartbeat).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from execution.ids import RunId
from execution.store.base import Fence, Leases, RunRecord, RunState
from execution.store.sql.rows import run_record
from execution.store.sql.schema import runs
from execution.store.sql.transactions import Transactions

_CANDIDATES = (
    "SELECT r.run_id FROM runs r LEFT JOIN run_claims c ON c.run_id = r.run_id "
    "WHERE r.state IN ($1, $2) AND COALESCE(c.expires_at, r.created_at + $3) < $4 "
    "ORDER BY r.created_at LIMIT $5 FOR UPDATE OF r SKIP LOCKED")
# A run without a claim was its creator's at attempt 1: the first takeover is attempt 2.
_TAKE = (
    "INSERT INTO run_claims (run_id, holder, attempt, expires_at) VALUES ($1, $2, 2, $3) "
    "ON CONFLICT (run_id) DO UPDATE SET holder = excluded.holder, attempt = run_claims.attempt + 1, "
    "expires_at = excluded.expires_at WHERE run_claims.expires_at < $4 RETURNING attempt")


class PostgresLeases(Leases):
    def __init__(self, tx: Transactions, engine: AsyncEngine) -> None:
        self._tx = tx
        self._engine = engine

    async def claim(self, run_id: RunId, fence: Fence) -> None:
        async def work(conn: AsyncConnection) -> None:
            await conn.exec_driver_sql(
                "INSERT INTO run_claims (run_id, holder, attempt, expires_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (run_id) DO NOTHING",
                (run_id, fence.holder, fence.attempt, time.time() + fence.lease_seconds))

        await self._tx.write(work)

    async def take_over(self, holder: str, lease_seconds: float, limit: int) -> list[tuple[RunRecord, Fence]]:
        async def work(conn: AsyncConnection) -> list[tuple[RunRecord, Fence]]:
            now = time.time()
            candidates = (await conn.exec_driver_sql(
                _CANDIDATES, (RunState.QUEUED.value, RunState.RUNNING.value, lease_seconds, now, limit))).scalars().all()
            taken: dict[str, int] = {}
            for run_id in candidates:
                attempt = (await conn.exec_driver_sql(_TAKE, (run_id, holder, now + lease_seconds, now))).scalar()
                if attempt is not None:
                    taken[run_id] = attempt
            if not taken:
                return []
            rows = (await conn.execute(sa.select(runs).where(runs.c.run_id.in_(list(taken))))).mappings().all()
            return [(run_record(row), Fence(holder, taken[row["run_id"]], lease_seconds)) for row in rows]

        return await self._tx.write(work)

    async def release(self, run_id: RunId, fence: Fence) -> None:
        async def work(conn: AsyncConnection) -> None:
            await conn.exec_driver_sql("DELETE FROM run_claims WHERE run_id = $1 AND holder = $2 AND attempt = $3",
                                       (run_id, fence.holder, fence.attempt))

        await self._tx.write(work)

    def heartbeat_dsn(self) -> str:
        return self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
