"""delete_finished_before: old finished runs go with their events, nodes and unshared images."""

from __future__ import annotations

import os

import pytest

from execution.outputs import Image
from execution.store.base import RunState, RunStore
from tests.store.conftest import SQL_KINDS, MakeStore
from tests.store.records import complete, events, new_run
from tests.store.sql_tables import row_count


def image(tag: str) -> Image:
    return Image(tag.encode() + os.urandom(64), "image/png")


async def test_old_finished_runs_are_deleted_with_their_events_and_nodes(store: RunStore) -> None:
    old = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=100.0))
    old_other_owner = await store.create_run(new_run("bob", state=RunState.CANCELLED, finished_at=150.0))
    recent = await store.create_run(new_run(state=RunState.FAILED, finished_at=300.0))
    # Unfinished runs are never deleted, whatever their times say.
    running = await store.create_run(new_run(state=RunState.RUNNING, finished_at=100.0))
    queued = await store.create_run(new_run(state=RunState.QUEUED))
    for run in (old, old_other_owner, recent, running, queued):
        await store.append(run.run_id, events(1, 5), [complete("a")])

    assert await store.delete_finished_before(200.0) == 2

    for gone in (old, old_other_owner):
        assert await store.get_run(gone.run_id) is None
        assert await store.read_events(gone.run_id, 0, 100) == []
        assert await store.get_nodes(gone.run_id) == []
    for kept in (recent, running, queued):
        assert await store.get_run(kept.run_id) is not None
        assert await store.read_events(kept.run_id, 0, 100) == events(1, 5)
        assert len(await store.get_nodes(kept.run_id)) == 1
    assert await store.delete_finished_before(200.0) == 0


async def test_a_run_finished_exactly_at_the_cutoff_is_kept(store: RunStore) -> None:
    run = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=200.0))
    assert await store.delete_finished_before(200.0) == 0
    assert await store.get_run(run.run_id) is not None


async def test_images_go_when_no_output_references_them_and_stay_while_one_does(store: RunStore) -> None:
    own, shared = image("own"), image("shared")
    old = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=100.0))
    await store.append(old.run_id, [], [complete("a", image=own), complete("b", image=shared)])
    keeper = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=900.0))
    await store.append(keeper.run_id, [], [complete("a", image=shared)])

    assert await store.delete_finished_before(200.0) == 1
    [kept] = await store.get_nodes(keeper.run_id, include_images=True)
    assert kept.output is not None and kept.output.image == shared

    # The image only the deleted run held is gone: storing it again for a new run stores it
    # anew (bytes and all) rather than pointing at a row that no longer exists.
    late = await store.create_run(new_run())
    await store.append(late.run_id, [], [complete("a", image=own)])
    [node] = await store.get_nodes(late.run_id, include_images=True)
    assert node.output is not None and node.output.image == own

    assert await store.delete_finished_before(1000.0) == 1
    assert await store.get_nodes(keeper.run_id) == []
    [still] = await store.get_nodes(late.run_id, include_images=True)
    assert still.output is not None and still.output.image == own


async def test_many_runs_and_long_event_logs_are_deleted_in_full(store: RunStore) -> None:
    runs = [await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=10.0 + i)) for i in range(130)]
    for first in range(1, 12_001, 3000):
        await store.append(runs[0].run_id, events(first, first + 2999, size=8), [])
    assert await store.delete_finished_before(1000.0) == 130
    assert await store.read_events(runs[0].run_id, 0, 10) == []
    assert await store.list_runs("alice") == []
    assert await store.get_nodes(runs[0].run_id) == []


async def test_sql_image_rows_follow_their_references(make_store: MakeStore, store_kind: str, store_url: str) -> None:
    if store_kind not in SQL_KINDS:
        pytest.skip("looks into the SQL tables")
    store = await make_store()
    own, shared = image("own"), image("shared")
    old = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=100.0))
    await store.append(old.run_id, [], [complete("a", image=own), complete("b", image=shared), complete("c", image=own)])
    keeper = await store.create_run(new_run(state=RunState.SUCCEEDED, finished_at=900.0))
    await store.append(keeper.run_id, [], [complete("a", image=shared)])
    assert await row_count(store_url, "images") == 2  # each stored once

    await store.delete_finished_before(200.0)
    assert await row_count(store_url, "images") == 1  # `own` went, `shared` stayed
    await store.delete_finished_before(1000.0)
    assert await row_count(store_url, "images") == 0
