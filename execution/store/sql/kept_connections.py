"""PostgreSQL: connections kept out of the pool for runs' batch statements.

Every checkout from the engine's pool pings the server first (pool_pre_ping: a transaction, a
query, a rollback — three round trips), which is what makes a restarted server cost no failed
call. A run writes a batch every few milliseconds, each one statement (postgres_batch.py): the
ping tripled its round trips, each waiting for an iteration of a busy event loop. So batch
statements run on connections kept checked out between batches (at most KEEP idle; more
while more batches run at once). A kept connection that turns out broken (the server
restarted meanwhile) is dropped and the statement retried once on a fresh, pinged checkout:
a batch is one transaction with unique keys, so a retry never writes twice.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

KEEP = 2
# The connection, not the statement, failed: the server went away or ended the session.
_BROKEN = (asyncpg.PostgresConnectionError, asyncpg.OperatorInterventionError, asyncpg.InterfaceError, OSError)


class KeptConnections:
    def __init__(self, engine: AsyncEngine, keep: int = KEEP) -> None:
        self._engine = engine
        self._keep_idle = keep
        self._idle: list[AsyncConnection] = []

    async def fetchval(self, sql: str, parameters: tuple[Any, ...]) -> Any:
        """Run one statement in a transaction of its own (autocommit); its first value."""
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
        if len(self._idle) < self._keep_idle:
            self._idle.append(conn)
        else:
            await conn.close()  # back to the pool
