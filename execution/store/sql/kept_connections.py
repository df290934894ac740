"""PostgreSQL: connections kept out of the pool for runs' batch statements.

A checkout from the engine's pool may ping the server first (engine.py: a transaction, a query,
a rollback — three round trips), which is what makes a restarted server cost no failed call. A
run writes a batch every few milliseconds, each one statement (postgres_batch.py): the ping
tripled its round trips, each waiting for an iteration of a busy event loop. So batch
statements run on connections kept checked out between batches: at most KEEP (other lanes
of single statements, e.g. the shared budgets', say how many), and a statement waits for one
when all are busy. Without that bound, a thousand runs writing at once took the
pool's overflow connections and gave them back closed (the pool keeps five): ~200 PostgreSQL
sessions opened and closed per thousand runs, each a backend started and its types looked up
again. A run's writer gathers its next batch while one is waiting, so waiting makes batches
larger, not more. A kept connection that turns out broken (the server restarted meanwhile) is
dropped and the statement retried once on a fresh, checked checkout: a batch is one
transaction with unique keys, so a retry never writes twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

KEEP = 8
# The connection, not the statement, failed: the server went away or ended the session.
_BROKEN = (asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError, asyncpg.InterfaceError, OSError)


class KeptConnections:
    def __init__(self, engine: AsyncEngine, keep: int = KEEP) -> None:
        self._engine = engine
        self._idle: list[AsyncConnection] = []
        self._slots = asyncio.Semaphore(keep)

    async def fetchval(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        """Run one statement in a transaction of its own (autocommit); its first value."""
        async with self._slots:
            return await self._fetchval(sql, parameters)

    async def _fetchval(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        if self._idle:
            try:
                return await self._run(self._idle.pop(), sql, parameters)
            except _BROKEN:
                pass  # kept while the server went away: once more, on a fresh connection
        return await self._run(await self._engine.connect(), sql, parameters)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()

    async def _run(self, conn: AsyncConnection, sql: str, parameters: tuple[Any, ...]) -> Any:
        try:
            # The driver's own connection, with no transaction of SQLAlchemy's open on it.
            driver: Any = (await conn.get_raw_connection()).driver_connection
            result = await driver.fetchval(sql, *parameters)
        except _BROKEN:
            await conn.invalidate()
            await conn.close()
            raise
        except BaseException:
            await self._keep(conn)  # the statement failed (a unique key, a value): the connection is fine
            raise
        await self._keep(conn)
        return result

    async def _keep(self, conn: AsyncConnection) -> None:
        self._idle.append(conn)  # at most `keep`: one per statement slot
