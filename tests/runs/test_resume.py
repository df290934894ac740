"""ResumeRun: a new run, linked to its parent, that executes only what did not complete — counted
at a local fake provider (a real HTTP server speaking OpenAI's wire format)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from execution.engine import Engine
from execution.graph.plan import make_plan
from execution.graph.validate import validate
from execution.nodes.builtin import builtin_registry
from execution.outputs import NodeOutput
from execution.run_limits import Limits
from flowexec.v1 import events_pb2, flow_service_pb2, runs_pb2
from tests.builders import edge, flow, node, pb_edge, pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, RUNNING, Runs, final_statuses, is_status

STORY, ENHANCED = "Once upon a tide", "A tide, painterly"


def story_flow() -> flow_service_pb2.ExecuteFlowRequest:
    """story (LLM) → enhance (LLM) → out; x on its own."""
    return pb_request(
        [pb_node("story", "storyTeller", idea="lighthouse"), pb_node("enhance", "promptEnhancer"),
         pb_node("out", "textOutput"), pb_node("x", "diag.delay", text="X")],
        [pb_edge("story", "enhance"), pb_edge("enhance", "out")], provider_id="mistral")


def asked(fake: FakeOpenAI, purpose: str) -> int:
    return sum(purpose in r.prompt for r in fake.requests)


@pytest.fixture
async def fake_runs(serve: Serve, fake_openai: FakeOpenAI) -> AsyncIterator[Runs]:
    async with text_services(fake_openai) as services:
        server = await serve(Engine(builtin_registry(diagnostic_nodes=True), services))
        async with Runs(server.target) as runs:
            yield runs


async def watch_until(runs: Runs, run_id: str, *conditions: tuple[str, int]) -> list[events_pb2.NodeEvent]:
    seen: list[events_pb2.NodeEvent] = []
    async for response in runs.watch_call(run_id):
        seen.extend(response.events)
        if all(any(is_status(e, n, s) for e in seen) for n, s in conditions):
            break
    return seen


async def test_resume_of_a_cancelled_run_executes_only_what_did_not_complete(
        fake_runs: Runs, fake_openai: FakeOpenAI) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        if asked(fake_openai, "enhance") == 1:
            return Reply.text(ENHANCED, hang_after=1)  # the first enhance call hangs mid-stream
        return Reply.text(ENHANCED)

    fake_openai.responder = responder
    parent = await fake_runs.start(story_flow())
    await watch_until(fake_runs, parent.run_id, ("story", COMPLETE), ("enhance", RUNNING), ("x", COMPLETE))
    await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)  # hanging at the provider
    cancelled = await fake_runs.cancel(parent.run_id)
    assert cancelled.state == runs_pb2.RUN_STATE_CANCELLED
    await fake_openai.wait_until(lambda: fake_openai.disconnects == 1)  # the provider call was aborted

    child = await fake_runs.resume(parent.run_id)
    assert child.parent_run_id == parent.run_id and child.run_id != parent.run_id
    assert [n.node_id for n in child.nodes] == ["enhance", "out"]  # planned: what did not complete
    events = await fake_runs.watch(child.run_id)
    started = events[0].run_started
    assert started.parent_run_id == parent.run_id and list(started.planned_node_ids) == ["enhance", "out"]
    assert set(started.cached_node_ids) == {"story", "x"}
    ran = {e.node_status.node_id for e in events if e.HasField("node_status") and e.node_status.status == RUNNING}
    assert ran == {"enhance", "out"}
    outputs = events[-1].run_completed.outputs
    assert outputs["out"].text == ENHANCED and outputs["story"].text == STORY and outputs["story"].cached
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2
    assert STORY in [r for r in fake_openai.requests if "enhance" in r.prompt][-1].prompt  # fed from the store

    got = await fake_runs.get(child.run_id)
    assert got.state == runs_pb2.RUN_STATE_SUCCEEDED and got.parent_run_id == parent.run_id
    assert {n.node_id: n.status for n in got.nodes} == dict.fromkeys(("enhance", "out", "story", "x"), COMPLETE)


async def test_resume_of_a_failed_run_reruns_the_failed_node_and_its_downstream(
        fake_runs: Runs, fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.text(STORY), Reply.error(400, "bad request, do not retry"))
    parent = await fake_runs.start(story_flow())
    await fake_runs.watch(parent.run_id)
    failed = await fake_runs.get(parent.run_id)
    assert failed.state == runs_pb2.RUN_STATE_FAILED
    fake_openai.responder = lambda request: Reply.text(ENHANCED)
    child = await fake_runs.resume(parent.run_id)
    events = await fake_runs.watch(child.run_id)
    final = final_statuses(events)
    assert set(final) == {"enhance", "out"} and all(s.status == COMPLETE for s in final.values())
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2

    # Resuming the finished resume runs nothing more.
    grandchild = await fake_runs.resume(child.run_id)
    assert list(grandchild.nodes) == []
    events = await fake_runs.watch(grandchild.run_id)
    assert events[-1].run_completed.outputs["out"].text == ENHANCED
    assert len(fake_openai.requests) == 3


def test_a_plan_that_runs_only_named_nodes_feeds_them_every_other_output() -> None:
    # a → b → c, x: resuming with a and x done runs b and c only, fed by a's output.
    graph = validate(flow([node(n, "textOutput") for n in "abcx"], [edge("a", "b"), edge("b", "c")]), Limits())
    done = {"a": NodeOutput(text="A"), "x": NodeOutput(text="X")}
    plan = make_plan(graph, None, done, run_only=["b", "c"])
    assert plan.planned == ("b", "c")
    assert plan.waits_for == {"b": (), "c": ("b",)}
    assert plan.cached == {"a": NodeOutput(text="A", cached=True), "x": NodeOutput(text="X", cached=True)}
    assert make_plan(graph, None, done).cached == {}  # without run_only, no trigger: everything runs, as before
