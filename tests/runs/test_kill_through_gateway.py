"""The cluster's shape — three `flowexec serve` replicas on one PostgreSQL behind the real Envoy
(`flowexec gateway --upstream a,b,c`) — and the replica executing a run killed with -9.

A client that started the run through Envoy and follows it (FlowClient.follow_run) sees a
pause: its watch, wherever Envoy put it, goes on; another replica takes the run over once the
lease has expired and resumes it as a linked run, which the client follows to its end. The
fake provider shows that no LLM node that had completed was asked again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2, runs_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.serve_process import ServeProcess, flowexec_gateway, flowexec_serve
from tests.runs.runs_client import COMPLETE, RUNNING, final_statuses, is_status

LEASE = 1.0
# Each LLM node's reply names it; the next node's prompt holds its upstream's reply.
STORY, FIRST, SECOND, THIRD = "S0 tide", "E1 glow", "E2 storm", "E3 dawn"


def chain() -> flow_service_pb2.ExecuteFlowRequest:
    """story → e1 → e2 → e3 → out: four LLM calls, one after the other."""
    return pb_request(
        [pb_node("story", "storyTeller", idea="lighthouse"), pb_node("e1", "promptEnhancer"),
         pb_node("e2", "promptEnhancer"), pb_node("e3", "promptEnhancer"), pb_node("out", "textOutput")],
        [pb_edge("story", "e1"), pb_edge("e1", "e2"), pb_edge("e2", "e3"), pb_edge("e3", "out")],
        provider_id="mistral")


def node_of(request: ReceivedRequest) -> str:
    """Which node of `chain` a provider request is for."""
    prompt = request.prompt
    if "storyteller" in prompt:
        return "story"
    return next(node for node, upstream in (("e3", SECOND), ("e2", FIRST), ("e1", STORY)) if upstream in prompt)


def asked(fake: FakeOpenAI) -> dict[str, int]:
    counts = dict.fromkeys(("story", "e1", "e2", "e3"), 0)
    for request in fake.requests:
        counts[node_of(request)] += 1
    return counts


async def executing(replicas: list[ServeProcess], run_id: str) -> ServeProcess:
    """The replica whose engine started the run (its log says so)."""
    waits = {asyncio.ensure_future(r.wait_for_log(f"run {run_id} started", timeout=30)): r for r in replicas}
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in pending:
        wait.cancel()
    first = done.pop()
    first.result()
    return waits[first]


def _responder(fake: FakeOpenAI) -> Callable[[ReceivedRequest], Reply]:
    """Replies naming each node; the first call of e2 hangs (the executing replica dies during it)."""
    replies = {"story": STORY, "e1": FIRST, "e2": SECOND, "e3": THIRD}

    def responder(request: ReceivedRequest) -> Reply:
        node = node_of(request)
        if node == "e2" and asked(fake)["e2"] == 1:
            return Reply.text(SECOND, hang_after=1)
        return Reply.text(replies[node], delay=0.2)
    return responder


@contextlib.asynccontextmanager
async def _cluster(postgres_url: str, fake: FakeOpenAI, tmp_path: Path
                   ) -> AsyncIterator[tuple[list[ServeProcess], FlowClient]]:
    """Three replicas resuming what they take over, Envoy in front, and a client of Envoy."""
    fake.responder = _responder(fake)
    env = {"FLOWEXEC_DATABASE_URL": postgres_url, "MISTRAL_API_KEY": TEST_KEYS["mistral"],
           "FLOWEXEC_MISTRAL_BASE_URL": f"{fake.url}/mistral/v1", "FLOWEXEC_RUN_LEASE_SECONDS": str(LEASE),
           "FLOWEXEC_RESUME_INTERRUPTED": "true"}
    async with (flowexec_serve(cwd=tmp_path, **env) as a, flowexec_serve(cwd=tmp_path, **env) as b,
                flowexec_serve(cwd=tmp_path, **env) as c, flowexec_gateway(a.target, b.target, c.target) as gateway,
                FlowClient(gateway) as client):
        yield [a, b, c], client


def _assert_followed_into_the_resumed_run(seen: list[events_pb2.NodeEvent], run_id: str) -> str:
    """`seen`: the old run up to the kill, then the run resuming it, to its end; the new run's id."""
    runs = list(dict.fromkeys(e.run_id for e in seen))
    assert len(runs) == 2 and runs[0] == run_id
    old = [e for e in seen if e.run_id == run_id]
    new = [e for e in seen if e.run_id == runs[1]]
    assert [e.seq for e in old] == list(range(1, len(old) + 1))  # gap-free, nothing twice
    assert [e.seq for e in new] == list(range(1, len(new) + 1))
    assert not any(e.HasField("run_completed") for e in old)  # the takeover's ending is not passed on
    assert new[0].run_started.parent_run_id == run_id
    assert set(new[0].run_started.cached_node_ids) == {"story", "e1"}
    assert final_statuses(new)["out"].status == COMPLETE
    assert seen[-1].run_completed.outputs["out"].text == THIRD
    return runs[1]


async def test_a_replica_killed_mid_run_behind_envoy_costs_a_following_client_a_pause(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    async with _cluster(postgres_url, fake_openai, tmp_path) as (replicas, client):
        run = await client.start_run(chain())
        # Three followers, each watch its own call through Envoy: round robin puts one of them on
        # the replica executing the run (its stream breaks with it), the others elsewhere.
        followers = [await _follower(client, run.run_id) for _ in range(3)]
        victim = await executing(replicas, run.run_id)
        await fake_openai.wait_until(lambda: asked(fake_openai)["e2"] == 1, timeout=30)  # hangs at the provider
        for seen, _ in followers:
            async with asyncio.timeout(10):
                while not any(is_status(e, "e2", RUNNING) for e in seen):
                    await asyncio.sleep(0.02)
        victim.kill9()
        for _ in range(3):  # round robin reaches the dead replica too: Envoy sends the call on to another
            assert (await client.get_run(run.run_id)).run_id == run.run_id
        await asyncio.wait_for(asyncio.gather(*(task for _, task in followers)), timeout=60)

        for seen, _ in followers:  # each saw the old run up to the kill, then the run resuming it, to its end
            resumed_id = _assert_followed_into_the_resumed_run(seen, run.run_id)
        assert len({tuple((e.run_id, e.seq) for e in seen) for seen, _ in followers}) == 1  # the same story

        # Through Envoy, any replica tells the same story: the old run INTERRUPTED, linked from the new one.
        assert (await client.get_run(run.run_id)).state == runs_pb2.RUN_STATE_INTERRUPTED
        resumed = await client.get_run(resumed_id)
        assert resumed.parent_run_id == run.run_id and resumed.state == runs_pb2.RUN_STATE_SUCCEEDED
    # Completed nodes were not asked again; e2: the call the victim died in, and the new owner's.
    assert asked(fake_openai) == {"story": 1, "e1": 1, "e2": 2, "e3": 1}


async def test_execute_flow_through_envoy_goes_on_past_the_death_of_its_replica(
        postgres_url: str, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    """ExecuteFlow's stream is served by the replica executing the run: it breaks when that one
    dies, and the client goes on following the run (FlowClient.execute_flow's `follow`)."""
    async with _cluster(postgres_url, fake_openai, tmp_path) as (replicas, client):
        seen: list[events_pb2.NodeEvent] = []

        async def execute() -> None:
            async for event in client.execute_flow(chain()):
                seen.append(event)

        task = asyncio.create_task(execute())
        async with asyncio.timeout(30):
            while not any(is_status(e, "e2", RUNNING) for e in seen):
                await asyncio.sleep(0.02)
        victim = await executing(replicas, seen[0].run_id)
        await fake_openai.wait_until(lambda: asked(fake_openai)["e2"] == 1, timeout=30)
        victim.kill9()
        await asyncio.wait_for(task, timeout=60)
        _assert_followed_into_the_resumed_run(seen, seen[0].run_id)
    assert asked(fake_openai) == {"story": 1, "e1": 1, "e2": 2, "e3": 1}


async def _follower(client: FlowClient, run_id: str) -> tuple[list[events_pb2.NodeEvent], asyncio.Task[None]]:
    """A task following the run into a list; returned once its watch call has been answered."""
    seen: list[events_pb2.NodeEvent] = []

    async def follow() -> None:
        async for event in client.follow_run(run_id):
            seen.append(event)

    task = asyncio.create_task(follow())
    async with asyncio.timeout(10):
        while not seen:
            await asyncio.sleep(0.01)
    return seen, task
