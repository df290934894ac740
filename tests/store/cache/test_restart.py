"""The cache outlives the process that filled it: a new Engine on the same database (SQLite,
PostgreSQL) serves the flow without calling the provider."""

from __future__ import annotations

import pytest

from execution.cache.open import open_cache_store
from tests.cache.flows import LLM_NODES, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services


@pytest.mark.parametrize("cache_kind", ["sqlite", "postgres"], indirect=True)
async def test_the_cache_survives_a_restart(cache_url: str, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        before = cached_engine(services, await open_cache_store(cache_url))
        first = await run(before, nodes, edges)
        assert before.cache is not None
        await before.cache.close()  # the server stops: queued writes go out, the store closes

        after = cached_engine(services, await open_cache_store(cache_url))
        assert after.cache is not None
        try:
            second = await run(after, nodes, edges)
        finally:
            await after.cache.close()
    assert len(fake_openai.requests) == 10
    assert all(cached(second, LLM_NODES).values())
    assert {n: second.output(n).text for n in LLM_NODES} == {n: first.output(n).text for n in LLM_NODES}
