"""Single flight: identical keys running at once share one provider call — across runs and within
one — and a leader that does not deliver does not take its followers down blindly."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from execution.events import NodeStatus, StatusReason
from tests.builders import edge, flow, node
from tests.cache.flows import LLM_NODES, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.run_flow import Run


def slowly(request: ReceivedRequest) -> Reply:
    return replace(by_prompt(request), delay=0.2)


def twins(count: int = 2) -> tuple[list, list]:
    """An initial prompt (no call) feeding `count` identical enhancers x, y, z…: one key."""
    names = "xyz"[:count]
    return ([node("p", "initialPrompt", text="a harbour at dawn"), *(node(n, "promptEnhancer") for n in names)],
            [edge("p", n) for n in names])


async def test_two_concurrent_identical_runs_make_one_call_per_node(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = slowly
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        first, second = await asyncio.gather(run(engine, nodes, edges), run(engine, nodes, edges))
    assert len(fake_openai.requests) == 10
    for n in LLM_NODES:
        assert first.status(n) is second.status(n) is NodeStatus.COMPLETE
        assert first.output(n).text == second.output(n).text
        assert first.output(n).cached != second.output(n).cached  # one called, the other followed


async def test_identical_nodes_of_one_run_share_one_call(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = slowly
    async with text_services(fake_openai) as services:
        result = await run(cached_engine(services), *twins(3))
    assert len(fake_openai.requests) == 1
    assert sorted(cached(result, "xyz").values()) == [False, True, True]


async def test_a_leader_refused_for_good_passes_its_error_to_its_followers(fake_openai: FakeOpenAI) -> None:
    """Not retryable (a 400): the same key is the same request, so sending it again is pointless."""
    fake_openai.queue(Reply.error(400, "prompt refused", delay=0.2))
    async with text_services(fake_openai) as services:
        result = await run(cached_engine(services), *twins())
    assert len(fake_openai.requests) == 1
    for n in "xy":
        final = result.final(n)
        assert (final.status, final.reason, final.retryable) == (NodeStatus.ERROR, StatusReason.PROVIDER_ERROR, False)
        assert "prompt refused" in final.message


async def test_after_a_retryable_failure_one_follower_calls_again(fake_openai: FakeOpenAI) -> None:
    """The leader's three attempts get 503s; one follower leads a new call, which succeeds."""
    fake_openai.queue(*[Reply.error(503, "overloaded", delay=0.1)] * 3)
    async with text_services(fake_openai) as services:
        result = await run(cached_engine(services), *twins())
    assert len(fake_openai.requests) == 4
    statuses = {n: result.status(n) for n in "xy"}
    assert sorted(s.value for s in statuses.values()) == ["complete", "error"]
    [failed] = [n for n, s in statuses.items() if s is NodeStatus.ERROR]
    [succeeded] = [n for n, s in statuses.items() if s is NodeStatus.COMPLETE]
    assert result.final(failed).retryable and not result.output(succeeded).cached


async def test_a_group_retries_once_then_its_followers_take_the_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(*[Reply.error(503, "overloaded", delay=0.1)] * 6)
    async with text_services(fake_openai) as services:
        result = await run(cached_engine(services), *twins(3))
    assert len(fake_openai.requests) == 6  # the leader's three attempts and one follower's three; not nine
    assert all(result.final(n).status is NodeStatus.ERROR and result.final(n).retryable for n in "xyz")


async def test_a_cancelled_leader_does_not_cancel_its_follower(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(hang_after=0))  # the first call never answers
    nodes, edges = twins(1)
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        leader = engine.start(engine.prepare(flow(nodes, edges)))
        drained = asyncio.create_task(_events(leader))
        await fake_openai.wait_until(lambda: fake_openai.in_flight == 1)
        follower = asyncio.create_task(run(engine, nodes, edges))
        await asyncio.sleep(0.1)  # the follower is waiting on the leader's flight
        assert len(fake_openai.requests) == 1
        await leader.cancel()
        result = await asyncio.wait_for(follower, 10)
        leader_run = Run(await drained)
    assert leader_run.status("x") is NodeStatus.CANCELLED
    assert result.status("x") is NodeStatus.COMPLETE and not result.output("x").cached
    assert len(fake_openai.requests) == 2  # the follower made its own call


async def _events(flow_run: object) -> list:
    events = []
    async for batch in flow_run.batches():  # type: ignore[attr-defined]
        events.extend(batch)
    return events
