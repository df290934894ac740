"""read_events: exactly the events after a seq, in order, up to a limit."""

from __future__ import annotations

from execution.ids import RunId
from execution.store.base import RunStore
from tests.store.records import events, new_run


async def test_read_events_returns_the_exact_range_in_seq_order(store: RunStore) -> None:
    run = await store.create_run(new_run())
    other = await store.create_run(new_run())
    # Stored out of order across batches, interleaved with another run's events.
    await store.append(run.run_id, events(6, 10), [])
    await store.append(other.run_id, events(1, 20), [])
    await store.append(run.run_id, events(1, 5), [])
    assert await store.read_events(run.run_id, 0, 100) == events(1, 10)
    assert await store.read_events(run.run_id, 3, 4) == events(4, 7)
    assert await store.read_events(run.run_id, 9, 100) == events(10, 10)
    assert await store.read_events(run.run_id, 10, 100) == []
    assert await store.read_events(run.run_id, 500, 100) == []
    assert await store.read_events(RunId("no-such-run"), 0, 100) == []


async def test_paging_through_events_sees_each_once(store: RunStore) -> None:
    run = await store.create_run(new_run())
    for first in range(1, 2500, 500):
        await store.append(run.run_id, events(first, first + 499), [])
    seen: list[int] = []
    after = 0
    for _ in range(100):  # a range that does not advance fails rather than loops
        page = await store.read_events(run.run_id, after, 333)
        if not page:
            break
        seen += [e.seq for e in page]
        after = page[-1].seq
    assert seen == list(range(1, 2501))
