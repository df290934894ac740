"""kill -9 mid-run, restart on the same database: the run is INTERRUPTED, every COMPLETE its watcher
saw survived, and ResumeRun completes it without the provider being asked again for what had
completed. Needs a database the server can open (SQLite, PostgreSQL): skipped until this build
has the SQL store (execution.store.open)."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import pytest

from flowexec.v1 import events_pb2, runs_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.serve_process import flowexec_serve
from tests.runs.runs_client import COMPLETE, RUNNING, Runs, final_statuses
from tests.runs.test_resume import ENHANCED, STORY, asked, story_flow, watch_until

pytestmark = pytest.mark.skipif(importlib.util.find_spec("execution.store.open") is None,
                                reason="needs the SQL run store (execution.store.open)")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'flowexec.db'}"
    try:
        return str(request.getfixturevalue("postgres_url"))
    except pytest.FixtureLookupError:
        pytest.skip("no PostgreSQL fixture (postgres_url)")


async def test_kill_9_mid_run_then_restart_and_resume(database_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        return Reply.text(ENHANCED, hang_after=1) if asked(fake_openai, "enhance") == 1 else Reply.text(ENHANCED)

    fake_openai.responder = responder
    # On PostgreSQL the killed server's lease on the run must expire before the next one takes it.
    env = {"FLOWEXEC_DATABASE_URL": database_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake_openai.url}/mistral/v1", "FLOWEXEC_RUN_LEASE_SECONDS": "1"}
    async with flowexec_serve(cwd=tmp_path, **env) as first:
        async with Runs(first.target) as runs:
            run = await runs.start(story_flow())
            seen = await watch_until(runs, run.run_id, ("story", COMPLETE), ("enhance", RUNNING), ("x", COMPLETE))
            await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)
        first.kill9()
    completed_seen = {e.node_status.node_id for e in seen if e.HasField("node_status") and e.node_status.status == COMPLETE}

    async with flowexec_serve(cwd=tmp_path, **env) as second:
        async with Runs(second.target) as runs:
            got = await runs.get(run.run_id)
            async with asyncio.timeout(30):
                while got.state == runs_pb2.RUN_STATE_RUNNING:  # the lease (PostgreSQL) has not expired yet
                    await asyncio.sleep(0.2)
                    got = await runs.get(run.run_id)
            assert got.state == runs_pb2.RUN_STATE_INTERRUPTED
            nodes = {n.node_id: n for n in got.nodes}
            for node_id in completed_seen:  # a COMPLETE a client saw is never lost
                assert nodes[node_id].status == COMPLETE and nodes[node_id].HasField("output")
            assert nodes["enhance"].reason == events_pb2.STATUS_REASON_SERVER_RESTARTED
            history = await runs.watch(run.run_id)
            assert [e.seq for e in history] == list(range(1, len(history) + 1))
            assert history[-1].HasField("run_completed")

            child = await runs.resume(run.run_id)
            events = await runs.watch(child.run_id)
            assert final_statuses(events)["out"].status == COMPLETE
            assert events[-1].run_completed.outputs["out"].text == ENHANCED
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2
