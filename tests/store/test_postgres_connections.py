"""PostgreSQL: many runs writing at once share a few connections (kept_connections.py).

A thousand runs' batches at once used to take the pool's overflow connections and give them back
closed, so that the next burst opened them again: each a new server backend. Batch statements
now wait for one of KEEP kept connections; every batch is still written.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from execution.store.base import RunUpdate
from execution.store.open import open_store
from execution.store.sql.kept_connections import KEEP
from execution.store.sql.store import SqlRunStore
from tests.store.records import events, new_run

RUNS = 40
ROUNDS = 4


async def test_runs_writing_at_once_open_no_more_than_the_kept_connections(postgres_url: str) -> None:
    store = await open_store(postgres_url)
    assert isinstance(store, SqlRunStore)
    try:
        runs = [await store.create_run(new_run()) for _ in range(RUNS)]
        opened = 0

        def on_connect(dbapi_connection: object, record: object) -> None:
            nonlocal opened
            opened += 1

        event.listen(store._tx.engine.sync_engine, "connect", on_connect)
        for round_ in range(ROUNDS):
            first = round_ * 5 + 1
            await asyncio.gather(*(store.append(run.run_id, events(first, first + 4), [],
                                                RunUpdate(last_seq=first + 4)) for run in runs))
        assert opened <= KEEP
        for run in runs:
            assert [e.seq for e in await store.read_events(run.run_id, 0, 100)] == list(range(1, ROUNDS * 5 + 1))
    finally:
        await store.close()
