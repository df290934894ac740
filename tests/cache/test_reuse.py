"""Re-running an unchanged graph calls no provider; a change re-runs exactly what depends on it.

Real engine, real node types, the fake OpenAI-compatible server counting requests."""

from __future__ import annotations

from execution.events import NodeStatus
from tests.cache.flows import LLM_NODES, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply


async def test_a_second_run_calls_no_provider_and_every_llm_node_is_cached(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        first = await run(engine, nodes, edges)
        assert len(fake_openai.requests) == 10
        assert not any(cached(first, LLM_NODES).values())
        second = await run(engine, nodes, edges)
    assert len(fake_openai.requests) == 10  # not one more
    assert all(second.status(n) is NodeStatus.COMPLETE for n in LLM_NODES)
    assert all(cached(second, LLM_NODES).values())
    assert all(second.completed.outputs[n].cached for n in LLM_NODES)  # visible in RunCompleted too
    assert {n: second.output(n).text for n in LLM_NODES} == {n: first.output(n).text for n in LLM_NODES}
    assert not any(second.deltas(n) for n in LLM_NODES)  # a hit streams nothing: its output carries the text


async def test_a_changed_setting_reruns_exactly_that_node_and_its_downstream(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        await run(engine, *ten_node_flow())
        before = len(fake_openai.requests)
        changed = await run(engine, *ten_node_flow(e2={"notes": "make it a western"}))
    rerun = {n for n, was_cached in cached(changed, LLM_NODES).items() if not was_cached}
    assert rerun == {"e2", "t2", "g2"}
    assert len(fake_openai.requests) - before == 3


async def test_an_upstream_node_that_says_the_same_again_leaves_its_downstream_cached(
        fake_openai: FakeOpenAI) -> None:
    """Keys follow outputs, not runs: e2 re-runs (its key changed) but answers what it answered
    before, so t2 and g2, whose inputs are unchanged, are still served from the cache."""
    def enhancer_says_the_same(request: ReceivedRequest) -> Reply:
        return Reply.text("the same enhanced prompt") if "NOTES-" in request.prompt else by_prompt(request)

    fake_openai.responder = enhancer_says_the_same
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        await run(engine, *ten_node_flow(e2={"notes": "NOTES-A"}))
        changed = await run(engine, *ten_node_flow(e2={"notes": "NOTES-B"}))
    assert {n for n, c in cached(changed, LLM_NODES).items() if not c} == {"e2"}


async def test_the_cache_setting_and_naming_the_default_model_do_not_change_the_key(fake_openai: FakeOpenAI) -> None:
    """A node that spells out its type's default provider and model, or sets `cache: true`, sends
    the same request as one that does not: it is served the same entry."""
    fake_openai.responder = by_prompt
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        await run(engine, *ten_node_flow())
        spelled = await run(engine, *ten_node_flow(
            e1={"providerId": "mistral", "model": "ministral-14b-2512"}, t1={"cache": True}))
        other_model = await run(engine, *ten_node_flow(e1={"model": "mistral-large-latest"}))
    assert all(cached(spelled, LLM_NODES).values())
    assert not other_model.output("e1").cached  # another model: another key
