"""Runs: create, read back, ownership, idempotency keys, updates, unfinished runs."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from execution.events import StatusCounts
from execution.ids import NodeId, RunId
from execution.store.base import RunState, RunStore, RunUpdate
from tests.store.records import new_run


async def test_a_created_run_reads_back_field_for_field(store: RunStore) -> None:
    run = new_run(
        "alice", flow_id="flow-x", state=RunState.QUEUED, request=bytes(range(256)) * 3,
        planned_node_ids=(NodeId("z"), NodeId("ä-node"), NodeId("a")), created_at=1_700_000_000.123456,
        parent_run_id=RunId("parent-1"), dry_run=True, started_at=1_700_000_001.5, finished_at=None, last_seq=7,
        counts=StatusCounts(complete=1, error=2, skipped=3, cancelled=4), fully_stored=False, idempotency_key="k-1",
    )
    assert await store.create_run(run) == run
    assert await store.get_run(run.run_id) == run


async def test_another_owners_run_is_not_found(store: RunStore) -> None:
    run = await store.create_run(new_run("alice"))
    assert await store.get_run(run.run_id, owner="alice") == run
    assert await store.get_run(run.run_id, owner="bob") is None
    assert await store.get_run(RunId("no-such-run")) is None


async def test_same_idempotency_key_same_owner_returns_the_first_run(store: RunStore) -> None:
    first = await store.create_run(new_run("alice", idempotency_key="retry-1", flow_id="first"))
    again = await store.create_run(new_run("alice", idempotency_key="retry-1", flow_id="second"))
    assert again == first
    assert [r.run_id for r in await store.list_runs("alice")] == [first.run_id]


async def test_same_idempotency_key_other_owner_is_a_new_run(store: RunStore) -> None:
    alices = await store.create_run(new_run("alice", idempotency_key="shared-key"))
    bobs = await store.create_run(new_run("bob", idempotency_key="shared-key"))
    assert bobs.run_id != alices.run_id
    assert await store.get_run(bobs.run_id, owner="bob") == bobs


async def test_runs_without_a_key_never_collide(store: RunStore) -> None:
    a = await store.create_run(new_run("alice"))
    b = await store.create_run(new_run("alice"))
    assert {r.run_id for r in await store.list_runs("alice")} == {a.run_id, b.run_id}


async def test_concurrent_creates_with_one_key_make_one_run(store: RunStore) -> None:
    candidates = [new_run("alice", idempotency_key="raced") for _ in range(8)]
    results = await asyncio.gather(*(store.create_run(run) for run in candidates))
    assert len({r.run_id for r in results}) == 1
    assert len(await store.list_runs("alice")) == 1


async def test_update_changes_only_the_fields_it_sets(store: RunStore) -> None:
    run = await store.create_run(new_run(started_at=10.0))
    await store.update_run(run.run_id, RunUpdate(state=RunState.SUCCEEDED, finished_at=20.5, last_seq=42,
                                                 counts=StatusCounts(complete=3)))
    assert await store.get_run(run.run_id) == dataclasses.replace(
        run, state=RunState.SUCCEEDED, finished_at=20.5, last_seq=42, counts=StatusCounts(complete=3))
    await store.update_run(run.run_id, RunUpdate(fully_stored=False))
    stored = await store.get_run(run.run_id)
    assert stored is not None and not stored.fully_stored and stored.state is RunState.SUCCEEDED


async def test_updating_an_unknown_run_raises_key_error(store: RunStore) -> None:
    with pytest.raises(KeyError):
        await store.update_run(RunId("no-such-run"), RunUpdate(state=RunState.FAILED))


async def test_unfinished_runs_are_the_queued_and_running_ones(store: RunStore) -> None:
    by_state = {state: await store.create_run(new_run(state=state, created_at=100.0 + i))
                for i, state in enumerate(RunState)}
    other_owner = await store.create_run(new_run("bob", state=RunState.QUEUED, created_at=50.0))
    unfinished = await store.unfinished_runs()
    assert [r.run_id for r in unfinished] == [
        other_owner.run_id, by_state[RunState.QUEUED].run_id, by_state[RunState.RUNNING].run_id]
