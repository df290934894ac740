"""An ExecuteFlow client that stops reading costs the server no memory beyond what storing its run costs.

The server runs as its own process (`flowexec serve`, as deployed) so its resident memory can be
read from /proc without the client's share. A diag.flood node streams COUNT text deltas as fast
as it can. The run is made twice: once by a client that reads as it goes, once by a client that,
after its first message, reads nothing until the server says (in its log) that the run is over —
everything the run produced is then waiting for that reader somewhere. Before runs were stored,
the second run alone was measured (the server buffered every event: ~85 MiB for 500k deltas,
bounded to ~4 MiB by backpressure). Now a run is read by the server's own reader and stored as
it goes — with persistence off, in memory: that is the first run's growth — and a stalled client
is served from the store, so it may add little to it.
"""

from __future__ import annotations

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc
from tests.builders import pb_node, pb_request
from tests.fixtures.serve_process import flowexec_serve

COUNT = 300_000
TOKEN = "tok,"
BOUND_MIB = 25


def flood(count: int) -> flow_service_pb2.ExecuteFlowRequest:
    return pb_request([pb_node("f", "diag.flood", count=count, text=TOKEN)], [])


async def test_a_client_that_stops_reading_costs_bounded_server_memory() -> None:
    async with flowexec_serve(FLOWEXEC_MAX_NODE_TEXT_BYTES=str(4 * len(TOKEN) * COUNT)) as server:
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
        async with grpc.aio.insecure_channel(server.target, options=options) as channel:
            stub = flow_service_pb2_grpc.FlowServiceStub(channel)
            async for _ in stub.ExecuteFlow(flood(2000)):  # warm-up: what any first run loads
                pass
            await server.wait_for_log("finished in", 1)
            before = server.rss_mib()
            async for _ in stub.ExecuteFlow(flood(COUNT)):  # a client that keeps up
                pass
            await server.wait_for_log("finished in", 2)
            read = server.rss_mib() - before

            call = stub.ExecuteFlow(flood(COUNT))
            events: list[events_pb2.NodeEvent] = list((await call.read()).events)
            await server.wait_for_log("finished in", 3)  # the client has read nothing since its first message
            stalled = server.rss_mib() - before - read

            while (response := await call.read()) is not grpc.aio.EOF:
                events.extend(response.events)
            assert await call.code() == grpc.StatusCode.OK

    assert stalled < read + BOUND_MIB, (f"server memory grew by {stalled:.1f} MiB for a client that was not reading, "
                                        f"by {read:.1f} MiB for one that was")
    deltas = [e.text_delta.chunk for e in events if e.HasField("text_delta")]
    assert "".join(deltas) == events[-1].run_completed.outputs["f"].text == TOKEN * COUNT
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
