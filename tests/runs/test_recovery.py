"""Start-up recovery in-process: a process "dies" (nothing more reaches its store) and a second
server starts on what it left. The runs it had going are INTERRUPTED — unfinished nodes CANCELLED
with SERVER_RESTARTED — and ResumeRun (or the auto-resume setting) finishes them without calling
the provider again for what had completed. (tests/runs/test_kill_restart.py does the same with
kill -9 and a database.)"""

from __future__ import annotations

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.store.base import RunStore
from flowexec.v1 import events_pb2, runs_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, RUNNING, Runs, final_statuses, seqs
from tests.runs.stores import FaultyStore
from tests.runs.test_resume import ENHANCED, STORY, asked, story_flow, watch_until

INTERRUPTED = runs_pb2.RUN_STATE_INTERRUPTED


async def crash_mid_run(serve: Serve, fake_openai: FakeOpenAI, store: RunStore) -> tuple[str, list[int]]:
    """Run story_flow on a server over `store` until story is COMPLETE and enhance hangs at the
    provider, then kill it: returns the run id and the seqs its watcher had seen."""
    def responder(request: ReceivedRequest) -> Reply:
        if "storyteller" in request.prompt:
            return Reply.text(STORY)
        return Reply.text(ENHANCED, hang_after=1) if asked(fake_openai, "enhance") == 1 else Reply.text(ENHANCED)

    fake_openai.responder = responder
    doomed = FaultyStore(store)
    async with text_services(fake_openai) as services:
        first = await serve(Engine(builtin_registry(diagnostic_nodes=True), services), store=doomed)
        async with Runs(first.target) as runs:
            run = await runs.start(story_flow())
            seen = await watch_until(runs, run.run_id, ("story", COMPLETE), ("enhance", RUNNING), ("x", COMPLETE))
            await fake_openai.wait_until(lambda: asked(fake_openai, "enhance") == 1)  # hanging at the provider
        doomed.crash()  # from here nothing the process does reaches its database
        await first.stop(grace=0)
    return run.run_id, seqs(seen)


async def test_a_run_left_running_is_interrupted_then_resumed(serve: Serve, fake_openai: FakeOpenAI,
                                                             run_store: RunStore) -> None:
    store = run_store
    run_id, seen = await crash_mid_run(serve, fake_openai, store)
    async with text_services(fake_openai) as services:
        second = await serve(Engine(builtin_registry(diagnostic_nodes=True), services), store=store)
        async with Runs(second.target) as runs:
            run = await runs.get(run_id)
            assert run.state == INTERRUPTED and run.finished_time.seconds > 0
            nodes = {n.node_id: n for n in run.nodes}
            # Every COMPLETE the watcher saw survived, with its output.
            assert nodes["story"].status == COMPLETE and nodes["story"].output.text == STORY
            assert nodes["x"].status == COMPLETE
            for node_id in ("enhance", "out"):
                assert nodes[node_id].status == events_pb2.NODE_STATUS_CANCELLED
                assert nodes[node_id].reason == events_pb2.STATUS_REASON_SERVER_RESTARTED
            # Its history: what was stored, then its end, gap-free.
            history = await runs.watch(run_id)
            assert seqs(history) == list(range(1, len(history) + 1)) and len(history) >= len(seen)
            assert history[-1].run_completed.counts.cancelled == 2
            # Its total counts the tokens its completed nodes had spent (stored with their outputs).
            total = history[-1].run_completed.usage
            assert nodes["story"].output.usage.output_tokens > 0
            assert (total.input_tokens, total.output_tokens) == (
                sum(n.output.usage.input_tokens for n in nodes.values()),
                sum(n.output.usage.output_tokens for n in nodes.values()))

            child = await runs.resume(run_id)
            events = await runs.watch(child.run_id)
            assert final_statuses(events)["out"].status == COMPLETE
            assert events[-1].run_completed.outputs["out"].text == ENHANCED
    # The provider was not asked again for what had completed.
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2


async def test_auto_resume_at_start_up(serve: Serve, fake_openai: FakeOpenAI, run_store: RunStore) -> None:
    store = run_store
    run_id, _ = await crash_mid_run(serve, fake_openai, store)
    async with text_services(fake_openai) as services:
        second = await serve(Engine(builtin_registry(diagnostic_nodes=True), services), store=store,
                             resume_interrupted=True)
        async with Runs(second.target) as runs:
            [child] = [r for r in (await runs.list()).runs if r.parent_run_id == run_id]
            done = await runs.wait_for_state(child.run_id, runs_pb2.RUN_STATE_SUCCEEDED)
            assert done.counts.complete == 2
            assert (await runs.get(run_id)).state == INTERRUPTED
    assert asked(fake_openai, "storyteller") == 1 and asked(fake_openai, "enhance") == 2


async def test_a_run_left_queued_is_interrupted_with_a_whole_history(serve: Serve, run_store: RunStore) -> None:
    store = run_store
    doomed = FaultyStore(store)
    first = await serve(store=doomed, max_active_runs=1)
    async with Runs(first.target) as runs:
        await runs.start(pb_request([pb_node("s", "diag.delay", seconds=30)], []))
        queued = await runs.start(pb_request([pb_node("q", "diag.delay", text="Q")], []))
        assert queued.state == runs_pb2.RUN_STATE_QUEUED
    doomed.crash()
    await first.stop(grace=0)
    second = await serve(store=store)
    async with Runs(second.target) as runs:
        history = await runs.watch(queued.run_id)
        assert history[0].HasField("run_started") and seqs(history) == [1, 2, 3]
        assert final_statuses(history)["q"].reason == events_pb2.STATUS_REASON_SERVER_RESTARTED
        assert (await runs.get(queued.run_id)).state == INTERRUPTED
