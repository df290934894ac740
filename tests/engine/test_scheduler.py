"""The scheduler in-process: lifecycle, error propagation, readiness, cancellation."""

from __future__ import annotations

import asyncio

from execution.engine import Engine
from execution.events import (
    NodeOutputProduced,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    RunStarted,
    StatusReason,
    TextDelta,
)
from execution.nodes.builtin import builtin_registry
from tests.builders import edge, flow, node
from tests.statuses import final_statuses


def engine() -> Engine:
    return Engine(builtin_registry(diagnostic_nodes=True))


def statuses(events) -> dict[str, list[NodeStatus]]:
    seen: dict[str, list[NodeStatus]] = {}
    for e in events:
        if isinstance(e.body, NodeStatusChanged):
            seen.setdefault(e.body.node_id, []).append(e.body.status)
    return seen


async def test_lifecycle_seq_and_final_event() -> None:
    events = await engine().run(flow([node("a", "diag.delay", text="A"), node("b", "textOutput")], [edge("a", "b")]))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert isinstance(events[0].body, RunStarted) and events[0].body.planned_node_ids == ("a", "b")
    assert all(isinstance(e.body, NodeStatusChanged) and e.body.status is NodeStatus.PENDING for e in events[1:3])
    assert statuses(events) == {n: [NodeStatus.PENDING, NodeStatus.RUNNING, NodeStatus.COMPLETE] for n in "ab"}
    last = events[-1].body
    assert isinstance(last, RunCompleted) and last.counts.complete == 2 and last.outputs["b"].text == "A"
    # The output precedes its COMPLETE status.
    kinds = [(type(e.body).__name__, getattr(e.body, "status", None)) for e in events if getattr(e.body, "node_id", "") == "a"]
    assert kinds.index(("NodeOutputProduced", None)) == kinds.index(("NodeStatusChanged", NodeStatus.COMPLETE)) - 1


async def test_failure_skips_exactly_the_downstream_and_independent_branch_finishes() -> None:
    nodes = [node("bad", "diag.fail", message="boom"), node("child", "textOutput"), node("grandchild", "textOutput"),
             node("adapter-user", "textOutput"), node("slow", "diag.delay", seconds=0.05, text="S"),
             node("slow-child", "textOutput")]
    edges = [edge("bad", "child"), edge("child", "grandchild"), edge("bad", "adapter-user", "adapter-persona"),
             edge("slow", "slow-child")]
    events = await engine().run(flow(nodes, edges))
    final = final_statuses(events)
    assert final["bad"].status is NodeStatus.ERROR and final["bad"].message == "boom"
    for skipped in ("child", "grandchild", "adapter-user"):
        assert final[skipped].status is NodeStatus.SKIPPED
        assert final[skipped].reason is StatusReason.UPSTREAM_FAILED
        assert final[skipped].message == "Upstream node failed"
        assert NodeStatus.RUNNING not in statuses(events)[skipped]
    assert final["slow-child"].status is NodeStatus.COMPLETE
    assert events[-1].body.counts.error == 1 and events[-1].body.counts.skipped == 3


async def test_unknown_type_is_skipped_with_no_executor_and_does_not_block() -> None:
    events = await engine().run(flow([node("u", "someFutureNode"), node("o", "textOutput")], [edge("u", "o")]))
    final = final_statuses(events)
    assert final["u"].status is NodeStatus.SKIPPED and final["u"].reason is StatusReason.NO_EXECUTOR
    assert final["o"].status is NodeStatus.COMPLETE


async def test_ready_node_does_not_wait_for_unrelated_slow_branch() -> None:
    # fast → fast2 must finish while the unrelated slow node is still running.
    nodes = [node("slow", "diag.delay", seconds=0.3), node("fast", "diag.delay", seconds=0.01),
             node("fast2", "diag.delay", seconds=0.01)]
    events = await engine().run(flow(nodes, [edge("fast", "fast2")]))
    done = {e.body.node_id: e.time_ns for e in events
            if isinstance(e.body, NodeStatusChanged) and e.body.status is NodeStatus.COMPLETE}
    assert done["fast2"] < done["slow"]


async def test_max_concurrency_bounds_running_nodes() -> None:
    nodes = [node(f"n{i}", "diag.delay", seconds=0.02) for i in range(8)]
    events = await engine().run(flow(nodes, [], concurrency=3))
    running = peak = 0
    for e in events:
        if isinstance(e.body, NodeStatusChanged):
            if e.body.status is NodeStatus.RUNNING:
                running += 1
                peak = max(peak, running)
            elif e.body.status is NodeStatus.COMPLETE:
                running -= 1
    assert peak == 3


async def test_text_deltas_concatenate_to_output() -> None:
    events = await engine().run(flow([node("s", "diag.stream", chunks=["Hel", "lo", " world"])], []))
    deltas = "".join(e.body.chunk for e in events if isinstance(e.body, TextDelta))
    [output] = [e.body.output for e in events if isinstance(e.body, NodeOutputProduced)]
    assert deltas == output.text == "Hello world"


async def test_cancel_stops_nodes_promptly_and_leaves_no_task() -> None:
    eng = engine()
    nodes = [node("a", "diag.delay", seconds=30), node("b", "diag.delay", seconds=30), node("c", "textOutput")]
    run = eng.start(eng.prepare(flow(nodes, [edge("a", "c")])))
    events = []
    async for batch in run.batches():
        events += batch
        if sum(isinstance(e.body, NodeStatusChanged) and e.body.status is NodeStatus.RUNNING for e in events) == 2:
            break
    await asyncio.wait_for(run.cancel(StatusReason.DEADLINE_EXCEEDED), 1)
    async for batch in run.batches():
        events += batch
    final = final_statuses(events)
    assert {n: (s.status, s.reason) for n, s in final.items()} == {
        n: (NodeStatus.CANCELLED, StatusReason.DEADLINE_EXCEEDED) for n in "abc"}
    assert events[-1].body.counts.cancelled == 3
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("flowexec-")]
    assert eng.active == {}


async def test_executor_bug_becomes_internal_error_not_a_crash() -> None:
    from execution.nodes.registry import NodeRegistry
    from execution.nodes.setting_types import NoSettings
    from execution.nodes.spec import NodeFamily, NodeSpec

    async def broken(ctx):
        raise KeyError("oops")

    eng = Engine(NodeRegistry([NodeSpec("broken", NodeFamily.DIAGNOSTIC, broken, NoSettings,
                                        display_name="Broken", description="raises")]))
    events = await eng.run(flow([node("x", "broken")], []))
    final = final_statuses(events)["x"]
    assert final.status is NodeStatus.ERROR and final.reason is StatusReason.INTERNAL
    assert "KeyError" in final.message


async def test_error_messages_are_redacted() -> None:
    from execution.redaction import SecretRedactor
    from execution.services import Services

    eng = Engine(builtin_registry(diagnostic_nodes=True), Services(redactor=SecretRedactor(["sk-test-1234567890"])))
    events = await eng.run(flow([node("f", "diag.fail", message="bad key sk-test-1234567890 rejected")], []))
    final = final_statuses(events)["f"]
    assert final.message == "bad key [redacted] rejected"
