"""Runs bigger than one gRPC message: the servicer cuts each batch of events into messages that
fit FLOWEXEC_MAX_MESSAGE_BYTES (a size estimate per event, a budget of half the limit).

The end-to-end test runs a real server with a small limit; the others pin the estimate where a
wrong guess would let a message grow past its budget.
"""

from __future__ import annotations

import grpc

from execution.events import Event, NodeOutputProduced, NodeStatus, NodeStatusChanged, RunCompleted, StatusCounts
from execution.ids import NodeId, RunId
from execution.outputs import Image, NodeOutput
from flowexec.v1 import flow_service_pb2_grpc
from server.batching import split_by_size
from server.convert import response_from_events
from tests.builders import pb_node, pb_request
from tests.fixtures.servers import StartServer

LIMIT = 256 * 1024


async def test_a_batch_bigger_than_the_message_limit_reaches_the_client_in_several_messages(
        start_server: StartServer) -> None:
    # diag.stream queues its eight deltas, its output and its status without yielding to the
    # loop: they leave as one batch of ~330 KB, which only fits the 256 KiB limit once cut.
    chunks = [f"{i}" * 20_000 for i in range(8)]
    target = await start_server(max_message_bytes=LIMIT)
    async with grpc.aio.insecure_channel(target) as channel:
        call = flow_service_pb2_grpc.FlowServiceStub(channel).ExecuteFlow(
            pb_request([pb_node("s", "diag.stream", chunks=chunks)], []))
        responses = [response async for response in call]
        assert await call.code() == grpc.StatusCode.OK
    events = [e for r in responses for e in r.events]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    deltas = [e.text_delta.chunk for e in events if e.HasField("text_delta")]
    [output] = [e.node_output.output for e in events if e.HasField("node_output")]
    assert deltas == chunks and output.text == "".join(chunks)
    assert events[-1].run_completed.outputs["s"].text == output.text
    # A message of several events keeps to the budget, half the limit (one event over it travels alone).
    assert all(r.ByteSize() <= LIMIT // 2 for r in responses if len(r.events) > 1)


def event(seq: int, body: object) -> Event:
    return Event(RunId("r"), seq, 0, body)  # type: ignore[arg-type]


def test_batches_are_split_to_stay_under_the_message_budget() -> None:
    big = [event(i, NodeOutputProduced(NodeId(f"img{i}"), NodeOutput(image=Image(b"x" * 400_000, "image/png"))))
           for i in range(1, 6)]
    small = [event(6 + i, NodeStatusChanged(NodeId(f"n{i}"), NodeStatus.COMPLETE)) for i in range(10)]
    parts = list(split_by_size(big + small, budget=1_000_000))
    assert [e for p in parts for e in p] == big + small  # nothing lost, order kept
    assert all(response_from_events(p).ByteSize() <= 1_000_000 for p in parts)
    assert len(parts) == 3
    assert list(split_by_size(big[:1], budget=10)) == [big[:1]]  # an oversized event travels alone


def test_run_completed_weighs_the_text_it_repeats() -> None:
    text = "t" * 300_000
    produced = event(1, NodeOutputProduced(NodeId("a"), NodeOutput(text=text)))
    completed = event(2, RunCompleted({NodeId("a"): NodeOutput(text=text)}, StatusCounts(complete=1), 5))
    parts = list(split_by_size([produced, completed], budget=500_000))
    assert parts == [[produced], [completed]]
    assert all(response_from_events(p).ByteSize() <= 500_000 for p in parts)


def test_run_completed_does_not_weigh_image_bytes_it_leaves_out() -> None:
    # RunCompleted repeats outputs without their image bytes: it leaves with the events before it.
    images = {NodeId(f"img{i}"): NodeOutput(image=Image(b"x" * 400_000, "image/png")) for i in range(5)}
    statuses = [event(i, NodeStatusChanged(node_id, NodeStatus.COMPLETE)) for i, node_id in enumerate(images, 1)]
    completed = event(6, RunCompleted(images, StatusCounts(complete=5), 5))
    assert list(split_by_size([*statuses, completed], budget=64 * 1024)) == [[*statuses, completed]]
