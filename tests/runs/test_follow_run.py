"""FlowClient.follow_run on a run its server left unfinished (the process "died"; a second one
recovered it): resumed at start-up, the client follows the resumed run in place of the old run's
INTERRUPTED ending; not resumed, it gets that ending as WatchRun gives it. (The kill -9 of a
replica behind Envoy: tests/runs/test_kill_through_gateway.py.)"""

from __future__ import annotations

import asyncio

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.store.base import RunStore
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, Runs, final_statuses
from tests.runs.test_recovery import crash_mid_run
from tests.runs.test_resume import ENHANCED


async def follow(target: str, run_id: str, **kwargs: float) -> list[events_pb2.NodeEvent]:
    async with FlowClient(target) as client, asyncio.timeout(30):
        return [event async for event in client.follow_run(run_id, **kwargs)]


async def test_follow_goes_on_into_the_run_resuming_an_interrupted_one(
        serve: Serve, fake_openai: FakeOpenAI, run_store: RunStore) -> None:
    run_id, _ = await crash_mid_run(serve, fake_openai, run_store)
    async with text_services(fake_openai) as services:
        second = await serve(Engine(builtin_registry(diagnostic_nodes=True), services), store=run_store,
                             resume_interrupted=True)
        seen = await follow(second.target, run_id)
    old = [e for e in seen if e.run_id == run_id]
    new = [e for e in seen if e.run_id != run_id]
    assert old and new and seen[:len(old)] == old  # the old run's events, then the new run's
    assert not any(e.HasField("run_completed") or e.node_status.reason == events_pb2.STATUS_REASON_SERVER_RESTARTED
                   for e in old)  # its INTERRUPTED ending is not passed on
    assert new[0].run_started.parent_run_id == run_id
    assert final_statuses(new)["out"].status == COMPLETE
    assert seen[-1].run_completed.outputs["out"].text == ENHANCED


async def test_follow_ends_with_the_interrupted_ending_when_nothing_resumes_the_run(
        serve: Serve, fake_openai: FakeOpenAI, run_store: RunStore) -> None:
    run_id, _ = await crash_mid_run(serve, fake_openai, run_store)
    second = await serve(store=run_store)
    seen = await follow(second.target, run_id, takeover_wait=0.3)
    async with Runs(second.target) as runs:
        assert seen == await runs.watch(run_id)  # exactly what WatchRun gives
    assert final_statuses(seen)["enhance"].reason == events_pb2.STATUS_REASON_SERVER_RESTARTED
    assert seen[-1].HasField("run_completed")
