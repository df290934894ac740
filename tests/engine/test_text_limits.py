"""The text a node may receive, output and stream, and what RunCompleted repeats (in-process)."""

from __future__ import annotations

from execution.engine import Engine
from execution.events import (
    NodeOutputProduced,
    NodeStatus,
    RunCompleted,
    StatusReason,
    TextDelta,
)
from execution.messages import ChatMessage
from execution.nodes.builtin import builtin_registry
from execution.outputs import NodeOutput, ProviderCall
from execution.run_limits import Limits
from tests.builders import edge, flow, node
from tests.statuses import final_statuses


def engine(**limits: int) -> Engine:
    return Engine(builtin_registry(diagnostic_nodes=True), limits=Limits(**limits))


async def test_a_merge_over_the_limit_errors_the_node_and_skips_downstream() -> None:
    nodes = [node("src", "diag.delay", text="x" * 600), node("double", "textOutput"), node("after", "textOutput"),
             node("fine", "textOutput")]
    edges = [edge("src", "double", "text", "e1"), edge("src", "double", "text2", "e2"), edge("double", "after"),
             edge("src", "fine")]
    events = await engine(max_node_text_bytes=1000).run(flow(nodes, edges))
    status = final_statuses(events)
    assert (status["double"].status, status["double"].reason) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT)
    assert status["double"].message == ("the inputs of this node carry 1200 bytes of text, "
                                        "over the limit of 1000 bytes per node")
    assert (status["after"].status, status["after"].reason) == (NodeStatus.SKIPPED, StatusReason.UPSTREAM_FAILED)
    assert status["fine"].status is NodeStatus.COMPLETE
    assert not [e for e in events if isinstance(e.body, NodeOutputProduced) and e.body.node_id == "double"]


async def test_an_executor_making_more_text_than_it_received_is_stopped_at_its_output() -> None:
    # diag.delay outputs its own `text` setting: nothing came in, too much goes out.
    events = await engine(max_node_text_bytes=100).run(flow([node("big", "diag.delay", text="é" * 60)], []))
    status = final_statuses(events)["big"]
    assert (status.status, status.reason, status.retryable) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT, False)
    assert status.message == "the output text of this node is 120 bytes, over the limit of 100 bytes per node"


async def test_streaming_past_the_limit_stops_the_node() -> None:
    chunks = ["0123456789"] * 50
    nodes = [node("s", "diag.stream", chunks=chunks), node("out", "textOutput")]
    events = await engine(max_node_text_bytes=95).run(flow(nodes, [edge("s", "out")]))
    deltas = [e.body.chunk for e in events if isinstance(e.body, TextDelta)]
    assert deltas == ["0123456789"] * 9  # the tenth would pass 95 bytes: never sent
    status = final_statuses(events)
    assert (status["s"].status, status["s"].reason) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT)
    assert "streamed passed the limit of 95 bytes" in status["s"].message
    assert status["out"].status is NodeStatus.SKIPPED


async def test_fan_in_of_many_copies_fails_before_the_merge_is_built() -> None:
    nodes = [node("src", "diag.delay", text="y" * 1000), node("merge", "textOutput")]
    edges = [edge("src", "merge", f"text{i}", edge_id=f"e{i}") for i in range(5000)]
    events = await engine().run(flow(nodes, edges))  # the default limit: 1 MiB per node
    status = final_statuses(events)["merge"]
    assert status.status is NodeStatus.ERROR
    assert status.message.startswith("the inputs of this node carry 5000000 bytes of text")


async def test_run_completed_repeats_text_within_its_budget_only() -> None:
    nodes = [node(n, "diag.delay", text=n * 400) for n in "abcd"] + [node("e", "diag.delay", text="e" * 100)]
    events = await engine(max_summary_text_bytes=1000).run(flow(nodes, [], concurrency=1))
    produced = {e.body.node_id: e.body.output for e in events if isinstance(e.body, NodeOutputProduced)}
    assert {n: len(o.text) for n, o in produced.items()} == {"a": 400, "b": 400, "c": 400, "d": 400, "e": 100}
    done = events[-1].body
    assert isinstance(done, RunCompleted) and done.counts.complete == 5
    assert {n: len(o.text) for n, o in done.outputs.items()} == {"a": 400, "b": 400, "c": 0, "d": 0, "e": 100}
    assert done.outputs["c"].duration_ms == produced["c"].duration_ms  # metadata kept


async def test_cached_outputs_count_toward_the_summary_budget() -> None:
    call = ProviderCall("mistral", "m", "translate", (ChatMessage("user", "p" * 900),))
    cached = {"a": NodeOutput(text="A", provider_calls=(call,), dry_run=True)}
    nodes = [node("a", "diag.delay"), node("b", "textOutput")]
    events = await engine(max_summary_text_bytes=500).run(flow(nodes, [edge("a", "b")], trigger="b", cached=cached))
    done = events[-1].body
    assert isinstance(done, RunCompleted)
    assert done.outputs["a"] == NodeOutput(provider_calls=(ProviderCall("mistral", "m", "translate", ()),),
                                           dry_run=True, cached=True)
    assert done.outputs["b"].text == "A"
