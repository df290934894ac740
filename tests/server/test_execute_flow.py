"""ExecuteFlow over a real channel to a real server on port 0."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2, flow_service_pb2_grpc, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.statuses import final_statuses

COMPLETE = events_pb2.NODE_STATUS_COMPLETE
RUNNING = events_pb2.NODE_STATUS_RUNNING


async def collect(client: FlowClient, request, **kwargs) -> list[events_pb2.NodeEvent]:
    return [event async for event in client.execute_flow(request, **kwargs)]


async def test_invalid_graph_is_invalid_argument_with_field_violations(client: FlowClient) -> None:
    request = pb_request([pb_node("a", "textOutput"), pb_node("b", "textOutput")],
                         [pb_edge("a", "ghost", edge_id="e7"), pb_edge("b", "a"), pb_edge("a", "b")])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await collect(client, request)
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "edges[0].target" in info.value.details()
    # Every problem in one error: the dangling edge, and the cycle the two valid edges form.
    assert field_violations(info.value) == [("edges[0].target", "edge 'e7' target 'ghost' is not a node of the flow"),
                                            ("edges", "the graph has a cycle: a → b → a")]


async def test_cycle_names_nodes_over_grpc(client: FlowClient) -> None:
    request = pb_request([pb_node("a", "textOutput"), pb_node("b", "textOutput")], [pb_edge("a", "b"), pb_edge("b", "a")])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await collect(client, request)
    [(field, description)] = field_violations(info.value)
    assert field == "edges" and "a" in description and "b" in description and "cycle" in description


async def test_stream_lifecycle_and_outputs(client: FlowClient) -> None:
    request = pb_request(
        [pb_node("c", "consistentCharacter", characterName="Ana", characterDescription="tall"),
         pb_node("o", "textOutput")],
        [pb_edge("c", "o")],
    )
    events = await collect(client, request)
    run_ids = {e.run_id for e in events}
    assert len(run_ids) == 1 and run_ids.pop()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].HasField("run_started") and list(events[0].run_started.planned_node_ids) == ["c", "o"]
    assert events[-1].HasField("run_completed")
    done = events[-1].run_completed
    assert done.outputs["o"].text == "tall" and done.outputs["c"].persona_name == "Ana"
    assert (done.counts.complete, done.counts.error) == (2, 0)
    assert all(e.time.seconds > 0 for e in events)


async def test_parallel_branches_really_overlap(client: FlowClient) -> None:
    nodes = [pb_node(n, "diag.delay", seconds=0.3) for n in ("left", "right")] + [pb_node("join", "textOutput")]
    events = await collect(client, pb_request(nodes, [pb_edge("left", "join"), pb_edge("right", "join")]))
    started = {e.node_status.node_id: e.time.ToNanoseconds() for e in events
               if e.HasField("node_status") and e.node_status.status == RUNNING}
    finished = {e.node_status.node_id: e.time.ToNanoseconds() for e in events
                if e.HasField("node_status") and e.node_status.status == COMPLETE}
    # Each branch started before the other finished: they ran side by side.
    assert started["left"] < finished["right"] and started["right"] < finished["left"]
    assert abs(started["left"] - started["right"]) < 100_000_000
    assert started["join"] >= max(finished["left"], finished["right"])


async def test_failure_skips_only_downstream(client: FlowClient) -> None:
    nodes = [pb_node("f", "diag.fail", message="provider down", retryable=True), pb_node("d1", "textOutput"),
             pb_node("d2", "textOutput"), pb_node("ok", "diag.delay", seconds=0.05, text="fine"), pb_node("ok2", "textOutput")]
    events = await collect(client, pb_request(nodes, [pb_edge("f", "d1"), pb_edge("d1", "d2"), pb_edge("ok", "ok2")]))
    final = final_statuses(events)
    assert final["f"].status == events_pb2.NODE_STATUS_ERROR
    assert final["f"].reason == events_pb2.STATUS_REASON_PROVIDER_ERROR and final["f"].retryable
    for n in ("d1", "d2"):
        assert final[n].status == events_pb2.NODE_STATUS_SKIPPED
        assert final[n].reason == events_pb2.STATUS_REASON_UPSTREAM_FAILED
        assert final[n].message == "Upstream node failed"
    assert final["ok2"].status == COMPLETE
    assert events[-1].run_completed.outputs["ok2"].text == "fine"


async def test_partial_reexecution_runs_exactly_the_right_set(client: FlowClient) -> None:
    # a → b → d → e ; c → d ; x isolated. Re-run from d with a and c cached, b not.
    nodes = [pb_node(n, "diag.delay", text=n.upper()) for n in ("a", "b", "c", "x")]
    nodes += [pb_node("d", "textOutput"), pb_node("e", "textOutput")]
    edges = [pb_edge("a", "b"), pb_edge("b", "d"), pb_edge("c", "d"), pb_edge("d", "e")]
    cached = {"a": graph_pb2.NodeOutput(text="cached-a"), "c": graph_pb2.NodeOutput(text="cached-c"),
              "x": graph_pb2.NodeOutput(text="cached-x")}
    events = await collect(client, pb_request(nodes, edges, trigger_node_id="d", cached_outputs=cached))
    started = events[0].run_started
    assert list(started.planned_node_ids) == ["b", "d", "e"]
    assert set(started.cached_node_ids) == {"a", "c"}
    ran = {e.node_status.node_id for e in events if e.HasField("node_status") and e.node_status.status == RUNNING}
    assert ran == {"b", "d", "e"}
    outputs = events[-1].run_completed.outputs
    assert outputs["d"].text == "B\n\ncached-c"  # b re-ran (text "B"), c fed from cache
    assert outputs["e"].text == "B\n\ncached-c"
    assert outputs["c"].cached and not outputs["d"].cached
    assert "x" not in outputs


async def test_events_are_coalesced_into_batches_without_gaps(start_server) -> None:
    target = await start_server()
    nodes = [pb_node(f"n{i}", "textOutput") for i in range(300)]
    edges = [pb_edge(f"n{i}", f"n{i + 1}") for i in range(299)]
    async with grpc.aio.insecure_channel(target) as channel:
        stub = flow_service_pb2_grpc.FlowServiceStub(channel)
        responses = [r async for r in stub.ExecuteFlow(pb_request(nodes, edges))]
    events = [e for r in responses for e in r.events]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len(events) == 1 + 300 * 4 + 1
    assert len(responses) < len(events)  # at least some responses carried several events


async def test_client_cancel_cancels_nodes_and_leaves_no_task(start_server) -> None:
    from tests.server.recording import RecordingEngine

    engine = RecordingEngine()
    async with FlowClient(await start_server(engine)) as client:
        nodes = [pb_node("slow", "diag.delay", seconds=30), pb_node("after", "textOutput"), pb_node("quick", "diag.delay")]
        seen = []
        async for event in client.execute_flow(pb_request(nodes, [pb_edge("slow", "after")])):
            seen.append(event)
            if event.HasField("node_status") and event.node_status.node_id == "slow" and event.node_status.status == RUNNING:
                break  # leaving the loop cancels the call
        run = engine.runs[-1]
        await asyncio.wait_for(run.finished.wait(), 2)
    assert run.status("slow").name == "CANCELLED" and run.status("after").name == "CANCELLED"
    assert run.status("quick").name in ("COMPLETE", "CANCELLED")
    assert engine.active == {}
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("flowexec-")]


async def test_deadline_exceeded(start_server) -> None:
    from execution.events import StatusReason
    from tests.server.recording import RecordingEngine

    engine = RecordingEngine()
    async with FlowClient(await start_server(engine)) as client:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await collect(client, pb_request([pb_node("slow", "diag.delay", seconds=30)], []), timeout=0.3)
        assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        run = engine.runs[-1]
        await asyncio.wait_for(run.finished.wait(), 2)
    assert run.status("slow").name == "CANCELLED"
    assert run._cancel_reason is StatusReason.DEADLINE_EXCEEDED
    assert engine.active == {}


async def test_runs_beyond_the_active_limit_and_the_queue_are_resource_exhausted(start_server) -> None:
    target = await start_server(max_active_runs=1, max_queued_runs=0)
    async with FlowClient(target) as client:
        first = client.execute_flow(pb_request([pb_node("s", "diag.delay", seconds=1)], []))
        await first.__anext__()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await collect(client, pb_request([pb_node("t", "textOutput")], []))
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        await first.aclose()


def test_batches_are_split_to_stay_under_the_message_budget() -> None:
    from execution.events import Event, NodeOutputProduced, NodeStatus, NodeStatusChanged
    from execution.outputs import Image, NodeOutput
    from execution.store.base import StoredEvent
    from flowexec.v1 import flow_service_pb2
    from server.batching import framed_responses
    from server.run_codec import ProtobufRunCodec

    codec = ProtobufRunCodec()
    big = [Event("r", i, 0, NodeOutputProduced(f"img{i}", NodeOutput(image=Image(b"x" * 400_000, "image/png"))))
           for i in range(1, 6)]
    small = [Event("r", 6 + i, 0, NodeStatusChanged(f"n{i}", NodeStatus.COMPLETE)) for i in range(10)]
    stored = [StoredEvent(e.seq, codec.encode_event(e)) for e in big + small]
    responses = list(framed_responses(stored, budget=1_000_000))
    assert all(len(r) <= 1_000_000 for r in responses) and len(responses) == 3
    # Each is exactly the serialized response carrying those events; together: all, in order.
    decoded = [flow_service_pb2.ExecuteFlowResponse.FromString(r) for r in responses]
    assert [d.SerializeToString() for d in decoded] == responses
    assert [e.SerializeToString() for d in decoded for e in d.events] == [s.payload for s in stored]
    assert len(list(framed_responses(stored[:1], budget=10))) == 1  # an oversized event travels alone
