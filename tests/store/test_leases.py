"""Run claims on PostgreSQL (store.leases): a takeover raises the attempt, and from then on the
old holder's fenced batches write nothing (LeaseLost), in the same statement as the check —
with or without images. A live claim is not taken; two replicas never take the same run."""

from __future__ import annotations

import asyncio

import pytest

from execution.ids import RunId
from execution.outputs import Image
from execution.store.base import Fence, LeaseLost, RunState, RunStore, RunUpdate
from execution.store.open import open_store
from tests.store.records import complete, events, new_run


@pytest.fixture
async def pg_store(postgres_store_url: str) -> RunStore:
    store = await open_store(postgres_store_url)
    yield store  # type: ignore[misc]
    await store.close()


async def test_a_takeover_fences_off_the_old_holder(pg_store: RunStore) -> None:
    leases = pg_store.leases
    assert leases is not None
    run = new_run(state=RunState.RUNNING)
    old = Fence("replica-a", 1, lease_seconds=1.0)  # long enough that a loaded machine still sees it held
    await pg_store.append(run.run_id, events(1, 2), [complete("n1")], RunUpdate(last_seq=2), create=run, fence=old)
    await pg_store.append(run.run_id, events(3, 3), [], RunUpdate(last_seq=3), fence=old)  # still its own
    assert await leases.take_over("replica-b", 60, limit=10) == []  # not expired yet
    await asyncio.sleep(1.1)  # past its expiry
    (taken, new), = await leases.take_over("replica-b", 60, limit=10)
    assert taken.run_id == run.run_id and new == Fence("replica-b", 2, 60)
    assert await leases.take_over("replica-c", 60, limit=10) == []  # held by b now

    with pytest.raises(LeaseLost):
        await pg_store.append(run.run_id, events(4, 4), [complete("n2")], RunUpdate(last_seq=4), fence=old)
    with pytest.raises(LeaseLost):  # a batch with an image goes statement by statement
        await pg_store.append(run.run_id, events(4, 4), [complete("n2", image=_image())], fence=old)
    assert [e.seq for e in await pg_store.read_events(run.run_id, 0, 10)] == [1, 2, 3]
    assert {n.node_id for n in await pg_store.get_nodes(run.run_id)} == {"n1"}
    assert (await pg_store.get_run(run.run_id)).last_seq == 3  # type: ignore[union-attr]

    await pg_store.append(run.run_id, events(4, 4), [], RunUpdate(state=RunState.INTERRUPTED, last_seq=4), fence=new)
    assert (await pg_store.get_run(run.run_id)).state is RunState.INTERRUPTED  # type: ignore[union-attr]


async def test_an_unknown_run_is_still_a_key_error(pg_store: RunStore) -> None:
    with pytest.raises(KeyError):
        await pg_store.append(RunId("nope"), events(1, 1), [], fence=Fence("a", 1, 60))


def _image() -> Image:
    return Image(data=b"\x89PNG fake", mime_type="image/png")
