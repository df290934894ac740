"""list_runs: the owner's runs, newest first, filtered, in pages that neither skip nor repeat."""

from __future__ import annotations

from execution.store.base import PageCursor, RunRecord, RunState, RunStore
from tests.store.records import new_run


def cursor(page: list[RunRecord]) -> PageCursor:
    return PageCursor(page[-1].created_at, page[-1].run_id)


async def all_pages(store: RunStore, owner: str, page_size: int, **filters: object) -> list[list[RunRecord]]:
    """Every page up to the empty one (a cursor that does not advance fails, rather than loops)."""
    pages: list[list[RunRecord]] = []
    after: PageCursor | None = None
    for _ in range(1000):
        page = await store.list_runs(owner, page_size=page_size, after=after, **filters)  # type: ignore[arg-type]
        if not page:
            return pages
        pages.append(page)
        after = cursor(page)
    raise AssertionError("paging never ended")


async def test_newest_first_ties_broken_by_run_id_descending(store: RunStore) -> None:
    runs = [await store.create_run(new_run(created_at=t, run_id=rid))
            for t, rid in [(100.0, "r-b"), (300.0, "r-a"), (200.0, "r-c"), (200.0, "r-d"), (200.0, "r-a2")]]
    listed = await store.list_runs("alice")
    assert [r.run_id for r in listed] == ["r-a", "r-d", "r-c", "r-a2", "r-b"]
    assert listed[0] == runs[1]


async def test_only_the_owners_runs_are_listed(store: RunStore) -> None:
    mine = await store.create_run(new_run("alice"))
    await store.create_run(new_run("bob"))
    assert await store.list_runs("alice") == [mine]
    assert await store.list_runs("carol") == []


async def test_pages_cover_every_run_once(store: RunStore) -> None:
    # 23 runs over 7 distinct times: pages split ties.
    created = [await store.create_run(new_run(created_at=1000.0 + i % 7)) for i in range(23)]
    pages = await all_pages(store, "alice", 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    flat = [r.run_id for p in pages for r in p]
    expected = [r.run_id for r in sorted(created, key=lambda r: (r.created_at, r.run_id), reverse=True)]
    assert flat == expected


async def test_paging_is_stable_while_new_runs_arrive(store: RunStore) -> None:
    old = [await store.create_run(new_run(created_at=500.0 + i)) for i in range(10)]
    first = await store.list_runs("alice", page_size=4)
    # New runs (newer than everything listed) arrive between pages.
    for i in range(5):
        await store.create_run(new_run(created_at=900.0 + i))
    second = await store.list_runs("alice", page_size=4, after=cursor(first))
    rest = await store.list_runs("alice", page_size=100, after=cursor(second))
    seen = [r.run_id for r in [*first, *second, *rest]]
    assert seen == [r.run_id for r in reversed(old)]


async def test_filters_by_flow_id_and_states(store: RunStore) -> None:
    a1 = await store.create_run(new_run(flow_id="A", state=RunState.SUCCEEDED, created_at=1.0))
    a2 = await store.create_run(new_run(flow_id="A", state=RunState.FAILED, created_at=2.0))
    a3 = await store.create_run(new_run(flow_id="A", state=RunState.RUNNING, created_at=3.0))
    b1 = await store.create_run(new_run(flow_id="B", state=RunState.FAILED, created_at=4.0))
    await store.create_run(new_run("bob", flow_id="A", state=RunState.FAILED, created_at=5.0))

    def ids(runs: list[RunRecord]) -> list[str]:
        return [r.run_id for r in runs]

    assert ids(await store.list_runs("alice", flow_id="A")) == ids([a3, a2, a1])
    assert ids(await store.list_runs("alice", states=[RunState.FAILED])) == ids([b1, a2])
    assert ids(await store.list_runs("alice", flow_id="A", states=[RunState.FAILED, RunState.SUCCEEDED])) == \
        ids([a2, a1])
    filtered_pages = await all_pages(store, "alice", 1, flow_id="A", states=[RunState.FAILED, RunState.SUCCEEDED])
    assert [ids(p) for p in filtered_pages] == [ids([a2]), ids([a1])]
    assert await store.list_runs("alice", flow_id="C") == []


async def test_page_size_bounds_the_page(store: RunStore) -> None:
    for i in range(5):
        await store.create_run(new_run(created_at=float(i)))
    assert len(await store.list_runs("alice", page_size=2)) == 2
    assert await store.list_runs("alice", page_size=0) == []
