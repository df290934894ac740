"""Replicas' notifications on PostgreSQL (store.signals): a fenced batch committed through one
store wakes the other store's waiters for that run — with or without images, alone or beside
another run's batch (notifying in its statement or after its commit) — and only them.
(`wait_for_events` is the notification alone: the watchers' 0.5 s poll is not involved.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from execution.outputs import Image
from execution.store.base import Fence, RunStore, RunUpdate
from execution.store.open import open_store
from tests.store.records import complete, events, new_run

WAIT = 10.0  # seconds: a notification arrives in milliseconds; a missing one shows as a timeout


@pytest.fixture
async def two_stores(postgres_store_url: str) -> AsyncIterator[tuple[RunStore, RunStore]]:
    """The executing replica's store and a watching replica's, listening."""
    writer, watcher = await open_store(postgres_store_url), await open_store(postgres_store_url)
    assert watcher.signals is not None
    await watcher.signals.start(lambda run_id, reason: None)
    yield writer, watcher
    await writer.close()
    await watcher.close()


async def test_a_fenced_batch_wakes_the_other_replicas_watchers_of_its_run(
        two_stores: tuple[RunStore, RunStore]) -> None:
    writer, watcher = two_stores
    assert watcher.signals is not None
    run, other = new_run(), new_run()
    fence = Fence("replica-a", 1, 60)
    created = [asyncio.create_task(watcher.signals.wait_for_events(r.run_id, WAIT)) for r in (run, other)]
    await asyncio.sleep(0.1)  # both are waiting
    await writer.append(run.run_id, events(1, 1), [], RunUpdate(last_seq=1), create=run, fence=fence)
    await writer.append(other.run_id, events(1, 1), [], RunUpdate(last_seq=1), create=other, fence=fence)
    assert await asyncio.gather(*created) == [True, True]  # a batch creating its run too

    for seq, image in ((2, None), (3, Image(data=b"\x89PNG fake", mime_type="image/png"))):
        waiting = asyncio.create_task(watcher.signals.wait_for_events(run.run_id, WAIT))
        unrelated = asyncio.create_task(watcher.signals.wait_for_events(other.run_id, 1.0))
        await asyncio.sleep(0.1)  # both are waiting
        await writer.append(run.run_id, events(seq, seq), [complete(f"n{seq}", image=image)],
                            RunUpdate(last_seq=seq), fence=fence)
        assert await waiting is True, f"no notification for the batch with seq {seq}"
        assert await unrelated is False  # another run's watchers stay asleep

    # Batches of two runs at once: one notifies in its statement, the other after its commit.
    waiting = [asyncio.create_task(watcher.signals.wait_for_events(r.run_id, WAIT)) for r in (run, other)]
    await asyncio.sleep(0.1)
    await asyncio.gather(writer.append(run.run_id, events(4, 4), [], RunUpdate(last_seq=4), fence=fence),
                         writer.append(other.run_id, events(2, 2), [], RunUpdate(last_seq=2), fence=fence))
    assert await asyncio.gather(*waiting) == [True, True]
