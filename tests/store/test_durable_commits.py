"""PostgreSQL: a write that asks for a durable commit gets one, whatever statement comes first.

The store's sessions commit asynchronously (synchronous_commit=off) unless a transaction says
`SET LOCAL synchronous_commit TO on` (dialect.commit_durably). Sent to the driver before
SQLAlchemy has opened the transaction, that statement would run on its own and change nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.open import open_store
from execution.store.sql import dialect
from execution.store.sql.store import SqlRunStore


async def _setting(conn: AsyncConnection) -> str:
    driver: Any = (await conn.get_raw_connection()).driver_connection
    return str(await driver.fetchval("SHOW synchronous_commit"))


async def test_a_durable_write_commits_durably_even_when_it_asks_first(fresh_postgres_url: str) -> None:
    store = await open_store(fresh_postgres_url)
    assert isinstance(store, SqlRunStore)
    try:
        async def durable(conn: AsyncConnection) -> str:
            await dialect.commit_durably(conn)  # the transaction's first statement
            return await _setting(conn)

        async def plain(conn: AsyncConnection) -> str:
            await dialect.update_run(conn, "no-such-run", {})
            return await _setting(conn)

        assert await store._tx.write(durable) == "on"
        assert await store._tx.write(plain) == "off"  # SET LOCAL ended with its transaction
    finally:
        await store.close()
