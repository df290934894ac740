"""Runs bigger than one gRPC message: the servicer cuts each batch of encoded events into
messages that fit FLOWEXEC_MAX_MESSAGE_BYTES (sizes are exact: each event's framed payload;
tests/server/test_execute_flow.py pins the cut itself).
"""

from __future__ import annotations

import grpc

from flowexec.v1 import flow_service_pb2_grpc
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
    # A message of several events keeps to the limit (one event over it travels alone).
    assert all(r.ByteSize() <= LIMIT for r in responses if len(r.events) > 1)
    assert len(responses) > 1
