"""Three `flowexec serve` replicas on one PostgreSQL hold one user's provider budget together.

ann may send 4 requests a minute to mistral (FLOWEXEC_PROVIDER_RPM=4) and her flows are spread
over the three replicas, seven chat calls in all: the fake provider sees four of hers — not four
per replica — and the others wait their turn in one line (15 s, 30 s: node_waiting events) or,
told to wait longer than the server waits (45 s > FLOWEXEC_RATE_LIMIT_MAX_WAIT=40), end
ERROR / RATE_LIMITED. bea, another user on the same replicas, is not slowed by any of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import jwt

from flowexec.v1 import events_pb2, flow_service_pb2, runs_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import Reply
from tests.fixtures.serve_process import flowexec_serve
from tests.runs.runs_client import Runs

SECRET = "test-secret-for-flowexec-shared-budgets-0123"
RPM = 4


def token(user: str) -> str:
    return jwt.encode({"sub": user, "exp": int(time.time()) + 300}, SECRET, algorithm="HS256")


def ideas(user: str, count: int, first: int = 0) -> flow_service_pb2.ExecuteFlowRequest:
    """Independent storyTeller nodes (one mistral call each), their ideas naming the user."""
    return pb_request([pb_node(f"n{i}", "storyTeller", idea=f"{user} idea {i}") for i in range(first, first + count)],
                      [], provider_id="mistral")


def calls_of(fake: FakeOpenAI, user: str) -> int:
    return sum(f"{user} idea" in r.prompt for r in fake.requests)


class Watched:
    """Every event of the runs being watched (one task per run), as they arrive."""

    def __init__(self) -> None:
        self.events: list[events_pb2.NodeEvent] = []
        self.tasks: list[asyncio.Task[None]] = []

    def watch(self, runs: Runs, run_id: str) -> None:
        async def follow() -> None:
            async for response in runs.watch_call(run_id):
                self.events.extend(response.events)

        self.tasks.append(asyncio.create_task(follow()))

    def waits(self) -> list[events_pb2.NodeWaiting]:
        return [e.node_waiting for e in self.events if e.HasField("node_waiting")]

    def rate_limited(self) -> list[events_pb2.NodeStatusChanged]:
        return [e.node_status for e in self.events if e.HasField("node_status")
                and e.node_status.status == events_pb2.NODE_STATUS_ERROR
                and e.node_status.reason == events_pb2.STATUS_REASON_RATE_LIMITED]

    async def until_accounted(self, fake: FakeOpenAI, calls: int, *, timeout: float = 45) -> None:
        """Until each of `calls` chat calls has been sent, told to wait, or refused."""
        async with asyncio.timeout(timeout):
            while calls_of(fake, "ann") + len(self.waits()) + len(self.rate_limited()) < calls:
                await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def test_one_users_budget_holds_across_three_replicas_and_another_user_is_not_slowed(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.responder = lambda request: Reply.text("a lighthouse at dusk", pieces=2)
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake_openai.url}/mistral/v1", "FLOWEXEC_AUTH_JWT_SECRET": SECRET,
           "FLOWEXEC_PROVIDER_RPM": str(RPM), "FLOWEXEC_RATE_LIMIT_MAX_WAIT": "40"}
    ann, bea = token("ann"), token("bea")
    async with (flowexec_serve(cwd=tmp_path, **env) as a, flowexec_serve(cwd=tmp_path, **env) as b,
                flowexec_serve(cwd=tmp_path, **env) as c):
        replicas: Sequence[Runs] = [Runs(s.target, ann) for s in (a, b, c)]
        watched = Watched()
        try:
            started = []
            for runs, (count, first) in zip(replicas, [(3, 0), (2, 3), (2, 5)], strict=True):
                run = await runs.start(ideas("ann", count, first))
                watched.watch(runs, run.run_id)
                started.append((runs, run.run_id))
            # Seven calls, four a minute: four go, two wait in line (15 s, 30 s), one would wait 45 s.
            await watched.until_accounted(fake_openai, 7)
            await asyncio.sleep(1.0)  # time for a call that got through wrongly to reach the fake
            assert calls_of(fake_openai, "ann") == RPM
            waits = sorted(w.estimated_wait_ms for w in watched.waits())
            assert len(waits) == 2 and all(w.reason == events_pb2.WAIT_REASON_RATE_LIMITED and w.provider_id == "mistral"
                                           for w in watched.waits())
            assert 10_000 < waits[0] <= 15_000 and 25_000 < waits[1] <= 30_000, waits  # one line over the replicas
            [limited] = watched.rate_limited()
            assert "4 requests per minute" in limited.message

            # bea, on the replica ann's first waiting call is on or not, is not held up by ann's line.
            async with Runs(b.target, bea) as on_b:
                run = await on_b.start(ideas("bea", 2))
                done = await on_b.wait_for_state(run.run_id, runs_pb2.RUN_STATE_SUCCEEDED,
                                                 runs_pb2.RUN_STATE_FAILED, timeout=20)
                assert done.state == runs_pb2.RUN_STATE_SUCCEEDED
                events = await on_b.watch(run.run_id)
            assert not [e for e in events if e.HasField("node_waiting")]
            assert calls_of(fake_openai, "bea") == 2 and calls_of(fake_openai, "ann") == RPM

            for runs, run_id in started:  # ann's waiting calls: cancelled, still unsent
                await runs.cancel(run_id)
            assert calls_of(fake_openai, "ann") == RPM
        finally:
            await watched.stop()
            for runs in replicas:
                await runs.__aexit__(None, None, None)
