"""`flowexec serve --workers 2` on PostgreSQL: two processes on one port, every RPC working on
whichever worker a connection lands on (each Runs client below is a connection of its own),
SIGTERM drains both. Refused on SQLite (the workers share runs through PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.balanced_channels import balanced_channels
from flowexec.v1 import events_pb2, runs_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.serve_process import ServeFailed, flowexec_serve
from tests.runs.runs_client import COMPLETE, RUNNING, Runs, final_statuses
from tests.runs.test_resume import STORY, asked, story_flow, watch_until

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_two_workers_serve_every_call_on_one_port_and_drain_on_sigterm(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        return Reply.text("never", hang_after=1)

    fake_openai.responder = responder
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake_openai.url}/mistral/v1"}
    async with flowexec_serve("--workers", "2", cwd=tmp_path, **env) as server:
        ready = await _worker_pids(server.proc)
        workers = [int(pid) for pid in ready]
        assert len(workers) == 2 and all(alive(pid) for pid in workers)
        async with Runs(server.target) as starter:
            run = await starter.start(story_flow())
        # Many connections: the kernel spreads them over both workers; each call works anywhere.
        for _ in range(8):
            async with Runs(server.target) as other:
                await watch_until(other, run.run_id, ("story", COMPLETE), ("enhance", RUNNING))
                assert (await other.get(run.run_id)).state == runs_pb2.RUN_STATE_RUNNING
        await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)
        async with Runs(server.target) as canceller:
            assert (await canceller.cancel(run.run_id)).state == runs_pb2.RUN_STATE_CANCELLED
        async with Runs(server.target) as watcher:
            events = await watcher.watch(run.run_id)
        assert final_statuses(events)["enhance"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED

        server.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(server.proc.wait(), timeout=60) == 0
        assert not any(alive(pid) for pid in workers)


async def _worker_pids(proc: asyncio.subprocess.Process) -> list[str]:
    """The supervisor's children: its workers."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
    return [pid for pid in children if re.fullmatch(r"\d+", pid)]


async def test_more_than_one_worker_needs_postgresql(tmp_path: Path) -> None:
    with pytest.raises(ServeFailed, match="needs a PostgreSQL run store"):
        async with flowexec_serve("--workers", "2", cwd=tmp_path, FLOWEXEC_DATABASE_URL=f"sqlite:///{tmp_path}/r.db"):
            pass



async def test_every_worker_says_not_serving_while_it_drains(postgres_url: str, tmp_path: Path) -> None:
    """A load balancer watching each worker's health learns of the drain from every one of them."""
    async with flowexec_serve("--workers", "2", cwd=tmp_path, FLOWEXEC_DATABASE_URL=postgres_url) as server:
        workers = [int(pid) for pid in await _worker_pids(server.proc)]
        channels = await balanced_channels(server.target, workers, per_worker=1, options=[])
        assert len(channels) == 2  # one connection on each worker
        try:
            watches = [health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest())
                       for channel in channels]
            assert [(await watch.read()).status for watch in watches] == [SERVING, SERVING]
            server.proc.send_signal(signal.SIGTERM)
            assert [(await watch.read()).status for watch in watches] == [NOT_SERVING, NOT_SERVING]
            assert await asyncio.wait_for(server.proc.wait(), timeout=60) == 0
        finally:
            for channel in channels:
                await channel.close()
