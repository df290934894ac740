"""Per user × provider budgets through the real server: a user over their requests-per-minute
budget waits — told so, with provider and estimate, and holding no slot — while another user's
runs go at full speed; the wait ends the moment the budget has room."""

from __future__ import annotations

import asyncio

from execution.ratelimit.policy import BudgetPolicy
from flowexec.v1 import events_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import Reply
from tests.limits.serving import limited_server, llm_nodes, run

# Two requests a second per user (a minute's budget, run in a second): six calls take ~2 s.
TWO_PER_SECOND = BudgetPolicy(requests_per_minute=2, interval=1.0)


async def test_a_user_over_budget_waits_and_another_user_is_not_slowed(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda request: Reply.text("a lighthouse at dusk", pieces=2)
    async with limited_server(fake_openai, budgets={"mistral": TWO_PER_SECOND}) as target:
        await run(target, "bea", llm_nodes("one", "two"))  # warm-up (SDK import, connections)
        await asyncio.sleep(1.1)  # her budget full again
        ideal = await run(target, "bea", llm_nodes("one", "two"))  # bea alone, within her budget
        await asyncio.sleep(1.1)

        first_wait = asyncio.Event()
        greedy = asyncio.create_task(run(target, "ann", llm_nodes(*[f"idea {i}" for i in range(6)])))

        async def bea_once_ann_waits() -> object:
            await fake_openai.wait_until(lambda: len(fake_openai.requests) >= 4 + 2)  # ann's first two went out
            first_wait.set()
            return await run(target, "bea", llm_nodes("one", "two"))

        ann, bea = await asyncio.gather(greedy, bea_once_ann_waits())

    assert first_wait.is_set()
    for seen in (ann, bea, ideal):
        assert seen.completed.counts.complete == len(seen.completed.outputs)
    # ann: four of six calls had to wait, ~0.5 s apart, the client told each time.
    waits = ann.waits()
    assert len({w.node_id for w in waits}) == 4
    assert all(w.provider_id == "mistral" and w.reason == events_pb2.WAIT_REASON_RATE_LIMITED for w in waits)
    assert all(0 < w.estimated_wait_ms <= 2100 for w in waits)
    assert sorted(w.estimated_wait_ms for w in waits)[-1] >= 1400  # the last in line is told it is last
    assert ann.duration >= 1.4
    # Each waiting node is RUNNING again when its wait is over, then completes.
    for node_id in {w.node_id for w in waits}:
        assert len(ann.when(node_id, events_pb2.NODE_STATUS_RUNNING)) == 2
    # bea: never waits, and her run takes what it takes alone.
    assert not bea.waits() and not ideal.waits()
    assert bea.duration <= max(2 * ideal.duration, ideal.duration + 0.1), (bea.duration, ideal.duration)
    assert bea.duration < ann.duration / 3
    print(f"ann {ann.duration:.3f} s, bea {bea.duration:.3f} s (alone {ideal.duration:.3f} s)")
