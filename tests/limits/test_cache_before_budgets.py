"""The cache is looked up before any budget: a node served from it spends none of its user's
requests or tokens, so a re-run of an unchanged flow is free under a budget already spent."""

from __future__ import annotations

from execution.cache.memory_store import MemoryCacheStore
from execution.cache.node_cache import NodeCache
from execution.ratelimit.policy import BudgetPolicy
from flowexec.v1 import events_pb2
from tests.cache.flows import LLM_NODES, by_prompt
from tests.cache.test_served_cache import ten_node_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.limits.serving import limited_server, run


async def test_cache_hits_spend_no_budget(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    ten_a_minute = BudgetPolicy(requests_per_minute=len(LLM_NODES))
    cache = NodeCache(MemoryCacheStore())
    async with limited_server(fake_openai, budgets={"mistral": ten_a_minute}, max_wait=0.5, cache=cache) as target:
        first = await run(target, "ann", ten_node_request())  # spends the whole minute's budget
        second = await run(target, "ann", ten_node_request())  # would wait a minute per node if hits paid
    await cache.close()
    assert len(fake_openai.requests) == len(LLM_NODES)
    for seen in (first, second):
        assert all(seen.final(n).status == events_pb2.NODE_STATUS_COMPLETE for n in LLM_NODES)
        assert not seen.waits()
    assert all(second.output(n).output.cached for n in LLM_NODES)
