"""How long entries live: the TTL, the byte cap with least-recently-used eviction, and a store
that cannot be reached (the cache is best effort: nodes run, runs complete)."""

from __future__ import annotations

from execution.cache.memory_store import MemoryCacheStore
from execution.cache.store import CacheEntry, entry_size
from execution.store.base import StoreUnavailable
from tests.builders import edge, node
from tests.cache.flows import LLM_NODES, Clock, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services


def translation(language: str) -> tuple[list, list]:
    """One cached node (a translator) after an initial prompt that makes no call."""
    return ([node("p", "initialPrompt", text="a quiet harbour"), node("t", "translator", language=language)],
            [edge("p", "t")])


async def test_an_entry_expires_after_its_ttl(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    clock = Clock()
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services, clock=clock, ttl_seconds=60)
        await run(engine, nodes, edges)
        clock.now += 59
        assert all(cached(await run(engine, nodes, edges), LLM_NODES).values())
        clock.now += 2  # 61 s after the entries were made
        expired = await run(engine, nodes, edges)
    assert not any(cached(expired, LLM_NODES).values())
    assert len(fake_openai.requests) == 20


async def test_past_the_byte_cap_the_least_recently_used_entries_go(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    async with text_services(fake_openai) as services:
        sizing = cached_engine(services)
        await run(sizing, *translation("fr"))
        assert sizing.cache is not None
        await sizing.cache.flush()
        one_entry = (await sizing.cache.store.stats(0)).bytes
        engine = cached_engine(services, max_bytes=int(one_entry * 3.5))
        assert engine.cache is not None

        async def translate(language: str) -> bool:
            result = await run(engine, *translation(language))
            await engine.cache.flush()  # type: ignore[union-attr]
            return result.output("t").cached

        for language in ("fr", "de", "es"):
            assert not await translate(language)
        assert await translate("fr")  # fr is now the most recently used, de the least
        assert not await translate("it")  # a fourth entry: past the cap
        stats = await engine.cache.store.stats(0)
        assert stats.entries == 3 and stats.bytes <= one_entry * 3.5
        assert await translate("fr") and await translate("es")
        assert not await translate("de")  # evicted


class UnreachableStore(MemoryCacheStore):
    async def get(self, key: str, now: float) -> CacheEntry | None:
        raise StoreUnavailable("run store postgresql://db/flows unavailable: connection refused")

    async def put(self, entries: object) -> None:
        raise StoreUnavailable("run store postgresql://db/flows unavailable: connection refused")


async def test_a_store_that_cannot_be_reached_costs_the_cache_not_the_run(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services, UnreachableStore())
        for _ in range(2):
            result = await run(engine, nodes, edges)
            assert all(result.final(n).status.value == "complete" for n in LLM_NODES)
        assert engine.cache is not None
        await engine.cache.flush()
    assert len(fake_openai.requests) == 20
    assert engine.cache.counters.lookup_failures == 20 and engine.cache.writer.failures >= 1


def test_an_entry_counts_its_encoded_output_and_its_image() -> None:
    from execution.outputs import Image, NodeOutput

    with_image = NodeOutput(text="x", image=Image(b"\x89PNG" + bytes(1000), "image/png"))
    assert entry_size(with_image) == entry_size(NodeOutput(text="x", image=Image(b"", "image/png"))) + 1004
