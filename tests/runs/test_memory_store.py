"""MemoryRunStore keeps the semantics of execution.store.base (the SQL stores' conformance suite
states the same), plus its own memory bound."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execution.events import NodeStatus, StatusCounts
from execution.ids import FlowId, NodeId, RunId
from execution.outputs import Image, NodeOutput
from execution.store.base import NodeRecord, PageCursor, RunRecord, RunState, RunUpdate, StoredEvent, StoreUnavailable
from execution.store.memory import MemoryRunStore


def record(n: int, owner: str = "ann", *, flow: str = "f", state: RunState = RunState.RUNNING, key: str | None = None,
           created: float | None = None) -> RunRecord:
    return RunRecord(RunId(f"{n:032x}"), owner, FlowId(flow), state, b"request", (NodeId("a"), NodeId("b")),
                     created if created is not None else 1000.0 + n, idempotency_key=key)


def events(first: int, last: int) -> list[StoredEvent]:
    return [StoredEvent(seq, f"event {seq}".encode()) for seq in range(first, last + 1)]


@pytest.fixture
def store() -> MemoryRunStore:
    return MemoryRunStore()


async def test_owner_filter_hides_other_owners_runs(store: MemoryRunStore) -> None:
    run = await store.create_run(record(1))
    assert await store.get_run(run.run_id) == run
    assert await store.get_run(run.run_id, owner="ann") == run
    assert await store.get_run(run.run_id, owner="bob") is None
    assert await store.get_run(RunId("f" * 32)) is None


async def test_idempotency_key_is_per_owner(store: MemoryRunStore) -> None:
    first = await store.create_run(record(1, key="k"))
    assert await store.create_run(record(2, key="k")) == first
    assert (await store.create_run(record(3, "bob", key="k"))).run_id == record(3).run_id
    assert len(await store.list_runs("ann")) == 1


async def test_list_pages_newest_first_with_filters(store: MemoryRunStore) -> None:
    for n in range(1, 8):
        await store.create_run(record(n, flow="odd" if n % 2 else "even",
                                      state=RunState.FAILED if n == 4 else RunState.RUNNING, created=1000.0 + n // 2))
    await store.create_run(record(99, "bob"))
    listed, after = [], None
    while page := await store.list_runs("ann", page_size=3, after=after):
        listed += page
        after = PageCursor(page[-1].created_at, page[-1].run_id)
    assert [(r.created_at, r.run_id) for r in listed] == sorted(((r.created_at, r.run_id) for r in listed), reverse=True)
    assert len(listed) == 7  # equal creation times are ordered by id: nothing skipped or repeated
    assert {r.flow_id for r in await store.list_runs("ann", flow_id="odd")} == {"odd"}
    assert [r.run_id for r in await store.list_runs("ann", states=[RunState.FAILED])] == [record(4).run_id]


async def test_events_are_read_after_a_seq_in_order(store: MemoryRunStore) -> None:
    run = await store.create_run(record(1))
    await store.append(run.run_id, events(1, 5), [], RunUpdate(last_seq=5))
    await store.append(run.run_id, events(6, 9), [])
    assert await store.read_events(run.run_id, 0, 3) == events(1, 3)
    assert await store.read_events(run.run_id, 4, 100) == events(5, 9)
    assert await store.read_events(run.run_id, 9, 10) == []
    assert (await store.get_run(run.run_id)).last_seq == 5  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        await store.append(run.run_id, events(3, 3), [])  # seq unique per run
    await store.append(run.run_id, events(12, 12), [])
    await store.append(run.run_id, events(10, 11), [])  # out of order: read back in order
    assert await store.read_events(run.run_id, 8, 10) == events(9, 12)


async def test_outputs_are_kept_and_images_come_back_only_when_asked(store: MemoryRunStore) -> None:
    run = await store.create_run(record(1))
    image = Image(b"\x89PNG bytes", "image/png")
    output = NodeOutput(text="hi", image=image)
    await store.append(run.run_id, [], [NodeRecord(NodeId("b"), NodeStatus.RUNNING, output=output),
                                        NodeRecord(NodeId("a"), NodeStatus.COMPLETE)])
    await store.append(run.run_id, [], [NodeRecord(NodeId("b"), NodeStatus.COMPLETE)])  # no output: the old one stays
    plain = await store.get_nodes(run.run_id)
    assert [n.node_id for n in plain] == ["a", "b"]  # planned order
    assert plain[1].status is NodeStatus.COMPLETE and plain[1].output == replace(output, image=Image(b"", "image/png"))
    assert (await store.get_nodes(run.run_id, include_images=True))[1].output == output


async def test_unfinished_runs_and_updates(store: MemoryRunStore) -> None:
    await store.create_run(record(1, state=RunState.QUEUED))
    await store.create_run(record(2))
    await store.create_run(record(3, state=RunState.SUCCEEDED))
    await store.update_run(record(2).run_id, RunUpdate(state=RunState.FAILED, finished_at=5.0,
                                                       counts=StatusCounts(error=1), fully_stored=False))
    assert [r.run_id for r in await store.unfinished_runs()] == [record(1).run_id]
    updated = await store.get_run(record(2).run_id)
    assert updated is not None and updated.counts.error == 1 and not updated.fully_stored and updated.finished_at == 5.0
    assert updated.request == b"request"  # untouched fields stay


async def test_retention_deletes_finished_runs_and_unreferenced_images(store: MemoryRunStore) -> None:
    shared = Image(b"same image", "image/png")
    for n, finished in ((1, 100.0), (2, 300.0)):
        run = await store.create_run(record(n))
        await store.append(run.run_id, events(1, 2), [NodeRecord(NodeId("a"), NodeStatus.COMPLETE,
                                                                 output=NodeOutput(image=shared))],
                           RunUpdate(state=RunState.SUCCEEDED, finished_at=finished))
    await store.create_run(record(3))  # still running
    images_before = store.size_bytes
    assert await store.delete_finished_before(200.0) == 1
    assert await store.get_run(record(1).run_id) is None and await store.read_events(record(1).run_id, 0, 10) == []
    [kept] = await store.get_nodes(record(2).run_id, include_images=True)
    assert kept.output is not None and kept.output.image == shared  # still referenced by run 2
    assert await store.delete_finished_before(1e9) == 1
    assert store.size_bytes < images_before and await store.get_run(record(3).run_id) is not None


async def test_the_memory_bound_drops_the_oldest_finished_runs_first(store: MemoryRunStore) -> None:
    bounded = MemoryRunStore(max_bytes=20_000)
    for n in range(1, 6):
        run = await bounded.create_run(record(n))
        await bounded.append(run.run_id, [StoredEvent(1, b"x" * 4000)], [],
                             RunUpdate(state=RunState.SUCCEEDED, finished_at=float(n)))
    live = await bounded.create_run(record(9))
    await bounded.append(live.run_id, [StoredEvent(1, b"y" * 15000)], [])
    assert bounded.size_bytes <= 20_000
    assert await bounded.get_run(live.run_id) is not None
    kept = {r.run_id for r in await bounded.list_runs("ann")}
    assert record(1).run_id not in kept and record(5).run_id in kept


async def test_a_closed_store_is_unavailable(store: MemoryRunStore) -> None:
    await store.close()
    with pytest.raises(StoreUnavailable):
        await store.get_run(RunId("0" * 32))

