"""The SQL store's transactions run to their end when their caller is cancelled.

A cancellation landing inside SQLAlchemy/the driver mid-transaction can leave a connection
holding SQLite's write lock or an asyncpg connection mid-protocol; the store runs each
transaction in its own task and its callers wait for it shielded (transactions.py).
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from execution.store.open import open_store
from execution.store.sql.rows import run_row
from execution.store.sql.schema import runs
from execution.store.sql.store import SqlRunStore
from tests.store.records import new_run


async def test_a_transaction_whose_caller_is_cancelled_commits_all_the_same(migrated_url: str) -> None:
    store = await open_store(migrated_url)
    assert isinstance(store, SqlRunStore)
    run = new_run()
    inserted, release = asyncio.Event(), asyncio.Event()

    async def slow_work(conn: AsyncConnection) -> None:
        await conn.execute(sa.insert(runs).values(run_row(run)))
        inserted.set()
        await release.wait()  # the caller is cancelled here, mid-transaction

    try:
        caller = asyncio.create_task(store._tx.write(slow_work))
        await inserted.wait()
        caller.cancel()
        await asyncio.wait([caller])
        assert caller.cancelled()  # the caller stops waiting at once …
        release.set()
        await store.close()  # … and close waits for the transaction, which commits
        reopened = await open_store(migrated_url)
        try:
            assert await reopened.get_run(run.run_id) == run
            await reopened.create_run(new_run())  # and nothing holds a lock
        finally:
            await reopened.close()
    finally:
        release.set()
        await store.close()
