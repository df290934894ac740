"""A client that stops reading costs the server bounded memory.

The server runs as its own process (`flowexec serve`, as deployed) so its resident memory can
be read from /proc without the client's share. A diag.flood node streams 500k text deltas as
fast as it can while the client, after its first message, reads nothing until the server
says (in its log) that the run is over — everything the run produced is then waiting for the
reader somewhere. Before backpressure this cost the server ~85 MiB (one queued event per
delta); now the run's queue holds at most its high-water mark, the deltas are merged, and
grpc's own send path waits on HTTP/2 flow control.
"""

from __future__ import annotations

import asyncio

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc
from tests.builders import pb_node, pb_request
from tests.cli.commands import clean_env, flowexec_serve

COUNT = 500_000
TOKEN = "tok,"
BOUND_MIB = 30


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def flood(count: int) -> flow_service_pb2.ExecuteFlowRequest:
    return pb_request([pb_node("f", "diag.flood", count=count, text=TOKEN)], [])


async def test_a_client_that_stops_reading_costs_bounded_server_memory() -> None:
    env = clean_env(FLOWEXEC_MAX_NODE_TEXT_BYTES=str(4 * len(TOKEN) * COUNT))  # the flood's 2 MB of text is allowed
    async with flowexec_serve("--diagnostic-nodes", env=env) as served, asyncio.timeout(30):
        logs = served.proc.stderr
        assert logs is not None

        async def run_finished() -> None:
            while b"finished in" not in (line := await logs.readline()):
                assert line, "the server exited"

        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        async with grpc.aio.insecure_channel(served.target, options=options) as channel:
            stub = flow_service_pb2_grpc.FlowServiceStub(channel)
            async for _ in stub.ExecuteFlow(flood(2000)):  # warm-up: what any first run loads
                pass
            await run_finished()
            before = rss_mib(served.proc.pid)

            call = stub.ExecuteFlow(flood(COUNT))
            events: list[events_pb2.NodeEvent] = list((await call.read()).events)
            await run_finished()  # the client has read nothing since its first message
            grown = rss_mib(served.proc.pid) - before

            while (response := await call.read()) is not grpc.aio.EOF:
                events.extend(response.events)
            assert await call.code() == grpc.StatusCode.OK

    assert grown < BOUND_MIB, f"server memory grew by {grown:.1f} MiB while the client was not reading"
    deltas = [e.text_delta.chunk for e in events if e.HasField("text_delta")]
    assert "".join(deltas) == events[-1].run_completed.outputs["f"].text == TOKEN * COUNT
    assert len(deltas) < COUNT  # merged while the reader was away
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
