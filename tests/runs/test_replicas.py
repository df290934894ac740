"""Two `flowexec serve` processes on one PostgreSQL: run ownership through the database.

A replica that starts while another executes a run leaves that run alone (its lease is held
and renewed); when the executing replica is killed (-9), the other takes the run over once the
lease has expired, ends it INTERRUPTED and resumes it from the stored outputs: the fake
provider shows no completed node asked twice.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from flowexec.v1 import events_pb2, runs_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.serve_process import flowexec_serve
from tests.runs.runs_client import COMPLETE, RUNNING, Runs, final_statuses
from tests.runs.test_resume import ENHANCED, STORY, asked, story_flow, watch_until

LEASE = 1.0


async def child_of(runs: Runs, parent_id: str) -> runs_pb2.Run:
    """The run resuming `parent_id`, once there is one."""
    async with asyncio.timeout(30):
        while True:
            for run in (await runs.list()).runs:
                if run.parent_run_id == parent_id:
                    return run
            await asyncio.sleep(0.1)


async def test_a_replica_takes_over_the_run_of_a_killed_one_and_leaves_a_live_ones_alone(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        return Reply.text(ENHANCED, hang_after=1) if asked(fake_openai, "enhance") == 1 else Reply.text(ENHANCED)

    fake_openai.responder = responder
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake_openai.url}/mistral/v1", "FLOWEXEC_RUN_LEASE_SECONDS": str(LEASE),
           "FLOWEXEC_RESUME_INTERRUPTED": "true"}
    async with flowexec_serve(cwd=tmp_path, **env) as a:
        async with Runs(a.target) as on_a:
            run = await on_a.start(story_flow())
            await watch_until(on_a, run.run_id, ("story", COMPLETE), ("enhance", RUNNING))
            await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)  # hangs at the provider
            # B starts (start-up recovery) and looks for expired leases every half lease, while A
            # renews its own: several leases later the run is still A's, RUNNING.
            async with flowexec_serve(cwd=tmp_path, **env) as b, Runs(b.target) as on_b:
                await asyncio.sleep(4 * LEASE)
                assert (await on_b.get(run.run_id)).state == runs_pb2.RUN_STATE_RUNNING

                a.kill9()
                interrupted = await on_b.wait_for_state(run.run_id, runs_pb2.RUN_STATE_INTERRUPTED, timeout=30)
                assert {n.node_id: n.status for n in interrupted.nodes}["story"] == COMPLETE
                child = await child_of(on_b, run.run_id)
                events = await on_b.watch(child.run_id, timeout=30)
                assert final_statuses(events)["out"].status == COMPLETE
                assert events[-1].run_completed.outputs["out"].text == ENHANCED
    # story completed on A and was not asked again; enhance: the call A died in, and B's.
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2


async def test_started_on_one_replica_watched_on_a_second_cancelled_from_a_third(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        return Reply.text(ENHANCED, hang_after=1)  # hangs mid-stream: the run waits to be cancelled

    fake_openai.responder = responder
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake_openai.url}/mistral/v1"}
    async with (flowexec_serve(cwd=tmp_path, **env) as a, flowexec_serve(cwd=tmp_path, **env) as b,
                flowexec_serve(cwd=tmp_path, **env) as c, Runs(a.target) as on_a, Runs(b.target) as on_b,
                Runs(c.target) as on_c):
        run = await on_a.start(story_flow())
        await watch_until(on_b, run.run_id, ("story", COMPLETE), ("enhance", RUNNING))  # B follows A's run
        watching = asyncio.create_task(on_b.watch(run.run_id, timeout=60))
        await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)

        cancelled = await on_c.cancel(run.run_id)  # C reaches A
        assert cancelled.state == runs_pb2.RUN_STATE_CANCELLED
        events = await watching  # B's watch ends with the run's end, gap-free
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[-1].HasField("run_completed")
        assert final_statuses(events)["enhance"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED
        assert (await on_a.get(run.run_id)).state == runs_pb2.RUN_STATE_CANCELLED


async def test_a_busy_event_loop_does_not_lose_its_lease(postgres_url: str, tmp_path: Path) -> None:
    """The heartbeat renews from a thread of its own: A's loop kept busy for four leases does not
    let B take A's run over (it completes, SUCCEEDED, once)."""
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "FLOWEXEC_RUN_LEASE_SECONDS": str(LEASE),
           "FLOWEXEC_RESUME_INTERRUPTED": "true"}
    async with (flowexec_serve(cwd=tmp_path, **env) as a, flowexec_serve(cwd=tmp_path, **env) as b,
                Runs(a.target) as on_a, Runs(b.target) as on_b):
        flow = pb_request([pb_node("busy", "diag.block", seconds=4 * LEASE), pb_node("after", "diag.delay", text="ok")],
                          [pb_edge("busy", "after")])
        run = await on_a.start(flow)
        done = await on_b.wait_for_state(run.run_id, runs_pb2.RUN_STATE_SUCCEEDED, runs_pb2.RUN_STATE_INTERRUPTED,
                                         timeout=60)
        assert done.state == runs_pb2.RUN_STATE_SUCCEEDED
        await asyncio.sleep(2 * LEASE)  # a takeover would have made a resumed run by now
        assert [r.run_id for r in (await on_b.list()).runs] == [run.run_id]
