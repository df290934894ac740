"""The cache's writes leave the nodes' path: queued entries answer lookups until they are
written, and closing writes everything queued — a batch in progress included."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from execution.cache.memory_store import MemoryCacheStore
from execution.cache.node_cache import NodeCache
from execution.cache.store import CacheEntry
from execution.outputs import NodeOutput


class SlowStore(MemoryCacheStore):
    """A store whose writes take a while (a database under load)."""

    async def put(self, entries: Sequence[CacheEntry]) -> None:
        await asyncio.sleep(0.05)
        await super().put(entries)


async def test_a_queued_entry_answers_at_once_and_closing_writes_all_that_is_queued() -> None:
    store = SlowStore()
    cache = NodeCache(store, clock=lambda: 100.0)
    cache.remember("k" * 64, "translator", NodeOutput(text="bonjour"), ttl=0)
    found = await cache.lookup("k" * 64)  # not written yet: served from the queue (and counted as a use)
    assert found is not None and found.text == "bonjour"
    await asyncio.sleep(0.01)  # the writer is inside its first batch now
    assert (await store.stats(100.0)).entries == 0
    await cache.lookup("k" * 64)
    await cache.close()  # the batch in progress ends, then the uses queued behind it are written
    stats = await store.stats(100.0)
    assert stats.entries == 1 and stats.by_node_type[0].hits == 2


async def test_what_is_queued_during_a_batch_is_written_without_another_nudge() -> None:
    store = SlowStore()
    cache = NodeCache(store, clock=lambda: 100.0)
    cache.remember("a" * 64, "translator", NodeOutput(text="one"), ttl=0)
    await asyncio.sleep(0.01)  # the first batch is being written
    cache.remember("b" * 64, "translator", NodeOutput(text="two"), ttl=0)
    await asyncio.sleep(0.3)  # nothing else happens: no further entry, no close
    assert (await store.stats(100.0)).entries == 2
    assert cache.writer.idle
