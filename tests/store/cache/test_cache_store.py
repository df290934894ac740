"""The cache store seam, one suite for every kind: memory, SQLite, PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from execution.cache.store import EVICT_TO, CacheEntry, CacheStore, CacheUse, entry_size
from execution.messages import ChatMessage
from execution.outputs import Image, NodeOutput, ProviderCall
from tests.images import samples
from tests.store.cache.conftest import OpenCache

T0 = 1_000_000.0


def entry(key: str, *, node_type: str = "translator", text: str = "", created_at: float = T0,
          expires_at: float | None = None, **output: object) -> CacheEntry:
    return CacheEntry(key.ljust(64, "0"), node_type, NodeOutput(text=text or f"out of {key}", **output),  # type: ignore[arg-type]
                      created_at, expires_at)


def key(name: str) -> str:
    return name.ljust(64, "0")


async def test_an_entry_comes_back_as_it_was_put(cache_store: CacheStore) -> None:
    png = samples.solid((16, 16))
    full = entry("a", node_type="imageGenerator", text="a fox, snow", image=Image(png, "image/png"), seed=42,
                 persona_name="Ana", injected_prompt="Ana, a fox", provider_calls=(
                     ProviderCall("huggingface", "flux", "generate-image", (ChatMessage("user", '{"seed": 42}'),),
                                  0.0, 0),),
                 expires_at=T0 + 60)
    await cache_store.put([full, entry("b", text="é ✓ \u202e")])
    assert await cache_store.get(key("a"), T0) == full
    got = await cache_store.get(key("b"), T0)
    assert got is not None and got.output.text == "é ✓ \u202e" and got.expires_at is None


async def test_lookups_at_once_each_get_their_own_entry(cache_store: CacheStore) -> None:
    """Lookups made together (a SQL store answers them in one statement) are not mixed up."""
    await cache_store.put([entry(name, text=f"text of {name}") for name in "abc"])
    found = await asyncio.gather(*(cache_store.get(key(name), T0) for name in "cbzab"))
    assert [e.output.text if e is not None else None for e in found] == [
        "text of c", "text of b", None, "text of a", "text of b"]


async def test_unknown_and_expired_entries_are_not_found(cache_store: CacheStore) -> None:
    await cache_store.put([entry("a", expires_at=T0 + 60)])
    assert await cache_store.get(key("zz"), T0) is None
    assert await cache_store.get(key("a"), T0 + 59.9) is not None
    assert await cache_store.get(key("a"), T0 + 60) is None


async def test_a_put_replaces_the_entry_of_its_key(cache_store: CacheStore) -> None:
    await cache_store.put([entry("a", text="first")])
    await cache_store.touch([CacheUse(key("a"), T0 + 1)])
    await cache_store.put([entry("a", text="second", created_at=T0 + 2)])
    got = await cache_store.get(key("a"), T0 + 3)
    assert got is not None and (got.output.text, got.created_at) == ("second", T0 + 2)
    stats = await cache_store.stats(T0 + 3)
    assert (stats.entries, stats.by_node_type[0].hits) == (1, 0)  # a new entry starts unused


async def test_uses_count_hits_per_node_type(cache_store: CacheStore) -> None:
    await cache_store.put([entry("a"), entry("b"), entry("c", node_type="grammarFix")])
    await cache_store.touch([CacheUse(key("a"), T0 + 1), CacheUse(key("a"), T0 + 2), CacheUse(key("c"), T0 + 3),
                             CacheUse(key("gone"), T0 + 4)])
    stats = await cache_store.stats(T0 + 5)
    assert [(t.node_type, t.entries, t.hits, t.last_used_at) for t in stats.by_node_type] == [
        ("grammarFix", 1, 1, T0 + 3), ("translator", 2, 2, T0 + 2)]


async def test_stats_count_entries_bytes_and_the_expired(cache_store: CacheStore) -> None:
    entries = [entry("a", text="x" * 500), entry("b", image=Image(bytes(2000), "image/png")),
               entry("c", node_type="grammarFix", expires_at=T0 + 10)]
    await cache_store.put(entries)
    stats = await cache_store.stats(T0 + 20)
    assert (stats.entries, stats.expired) == (3, 1)
    assert stats.bytes == sum(entry_size(e.output) for e in entries)
    assert [(t.node_type, t.bytes) for t in stats.by_node_type] == [
        ("grammarFix", entry_size(entries[2].output)), ("translator", entry_size(entries[0].output) + entry_size(
            entries[1].output))]


async def test_eviction_drops_the_expired_then_the_least_recently_used(cache_store: CacheStore) -> None:
    entries = [entry(name, text="y" * 1000, created_at=T0 + i) for i, name in enumerate("abcdef")]
    entries.append(entry("old", text="y" * 1000, created_at=T0, expires_at=T0 + 5))
    await cache_store.put(entries)
    size = entry_size(entries[0].output)
    await cache_store.touch([CacheUse(key("a"), T0 + 100), CacheUse(key("b"), T0 + 101)])
    # Room for four: the expired entry goes, then c and d (the least recently used); a and b were used last.
    result = await cache_store.evict(T0 + 200, max_bytes=int(4.2 * size))
    assert (result.expired, result.evicted) == (1, 3)
    assert result.bytes_left == 3 * size <= 4.2 * size * EVICT_TO
    kept = {name for name in "abcdef" if await cache_store.get(key(name), T0 + 200) is not None}
    assert kept == {"a", "b", "f"}
    nothing = await cache_store.evict(T0 + 200, max_bytes=int(4.2 * size))
    assert (nothing.expired, nothing.evicted, nothing.bytes_left) == (0, 0, 3 * size)


async def test_clear_deletes_everything_or_one_node_type(cache_store: CacheStore) -> None:
    await cache_store.put([entry("a"), entry("b"), entry("c", node_type="grammarFix")])
    assert await cache_store.clear("translator") == 2
    assert (await cache_store.stats(T0)).entries == 1
    assert await cache_store.clear() == 1
    assert (await cache_store.stats(T0)).entries == 0


async def test_entries_outlive_the_store_that_wrote_them(open_cache: OpenCache, cache_kind: str) -> None:
    if cache_kind == "memory":
        pytest.skip("persistence off: entries live as long as the process")
    first = await open_cache()
    await first.put([entry("a", text="kept")])
    await first.close()
    second = await open_cache()
    got = await second.get(key("a"), T0)
    assert got is not None and got.output.text == "kept"
