"""A replica cut off from the database longer than the lease cannot overwrite, once it is back,
the final state of a run another replica took over meanwhile.

Replica A reaches PostgreSQL through a proxy the test cuts; replica B directly. A's run ends
while A cannot write: A keeps trying to store its final state (writer._mark_incomplete). B,
seeing A's lease expire, takes the run over and ends it INTERRUPTED. When A's database comes
back, A's late final state is refused by the run's fence (LeaseLost, logged once), B's stands,
and A goes on serving.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from execution.runs import RunPolicy
from execution.store.base import RunState, RunStore
from execution.store.open import open_store
from flowexec.v1 import runs_pb2
from tests.builders import pb_node, pb_request
from tests.fixtures.db_proxy import DatabaseProxy
from tests.runs.conftest import Serve
from tests.runs.runs_client import RUNNING, Runs, is_status

LEASE = 1.0
LOST = "lease lost"


@pytest.fixture
async def stores(postgres_url: str, database_proxy: DatabaseProxy) -> AsyncIterator[tuple[RunStore, RunStore]]:
    """A's store (through the proxy) and B's (direct), on one database; closed after the servers stop."""
    database = urlsplit(postgres_url).path.lstrip("/")
    store_a = await open_store(database_proxy.url(database))
    store_b = await open_store(postgres_url)
    yield store_a, store_b
    await store_a.close()
    await store_b.close()


async def test_a_late_final_state_is_refused_after_a_takeover(
        stores: tuple[RunStore, RunStore], serve: Serve, database_proxy: DatabaseProxy,
        caplog: pytest.LogCaptureFixture) -> None:
    store_a, store_b = stores
    policy = RunPolicy(lease_seconds=LEASE)
    a = await serve(store=store_a, policy=policy)
    async with Runs(a.target) as on_a:
        run = await on_a.start(pb_request([pb_node("slow", "diag.delay", seconds=0.5, text="late")], []))
        seen = []
        with caplog.at_level(logging.INFO, logger="flowexec.runs"):
            async with asyncio.timeout(60):
                async for response in on_a.watch_call(run.run_id):
                    seen.extend(response.events)
                    if any(is_status(e, "slow", RUNNING) for e in seen) and not database_proxy.is_cut:
                        database_proxy.cut()  # A loses its database mid-run; the run goes on
            assert seen[-1].run_completed.outputs["slow"].text == "late"  # A's watcher saw it end
            assert (await store_b.get_run(run.run_id)).state is RunState.RUNNING  # type: ignore[union-attr]

            await serve(store=store_b, policy=policy)  # B takes over once A's lease has expired
            async with asyncio.timeout(30):
                while (record := await store_b.get_run(run.run_id)).state is RunState.RUNNING:  # type: ignore[union-attr]
                    await asyncio.sleep(0.05)
            assert record.state is RunState.INTERRUPTED  # type: ignore[union-attr]
            taken_over = record

            database_proxy.restore()  # A's next try of its final state reaches the database
            async with asyncio.timeout(30):  # refused, or (unfenced) written over B's
                while not _lost(caplog, run.run_id) and await store_b.get_run(run.run_id) == taken_over:
                    await asyncio.sleep(0.05)
            await asyncio.sleep(LEASE)  # room for a second refusal or a late write

        assert await store_b.get_run(run.run_id) == taken_over  # B's ending stands: state, seq, counts, times
        assert len(_lost(caplog, run.run_id)) == 1
        assert not [r for r in caplog.records if r.exc_info]  # no crash, no traceback

        again = await on_a.start(pb_request([pb_node("t", "diag.delay", seconds=0, text="ok")], []))
        ended = await on_a.wait_for_state(again.run_id, runs_pb2.RUN_STATE_SUCCEEDED, timeout=30)
        assert ended.fully_stored  # A goes on serving, and storing


def _lost(caplog: pytest.LogCaptureFixture, run_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if LOST in r.getMessage() and run_id in r.getMessage()]
