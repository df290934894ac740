"""A watcher that stops reading costs the server no memory beyond what storing the run costs.

The server runs as its own process (`flowexec serve`) so its resident memory can be read from
/proc. A diag.flood run streams COUNT text deltas as fast as it can; the same run is made twice,
once with no watcher at all and once with a watcher that reads one response and then nothing
until the run is over. With persistence off the store itself holds every event in memory, so
the first run's growth is the price of storing a run; the stalled watcher may add little to it.
On SQLite the first figure is what the process keeps after a run (~15-25 MiB: the allocator's
and SQLite's caches) and the same bound holds; the stalled watcher falls behind the tail and,
once it reads again, is served from the database.

The watcher's channel does not grow its flow-control window (no BDP probing), so it stalls
near the run's start, as a slow client would, instead of taking the run's deltas into grpc's
buffers up to its last, multi-MiB events (whose message, and grpc's copy of it, it would then
hold: the price of any message being sent, not of falling behind).
"""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc, runs_pb2
from tests.builders import pb_node, pb_request
from tests.fixtures.serve_process import flowexec_serve

COUNT = 300_000
TOKEN = "[a token of thirty-two letters]"  # events of ~100 bytes: copies of them would show
BOUND_MIB = 25


def flood(count: int) -> flow_service_pb2.StartRunRequest:
    return flow_service_pb2.StartRunRequest(flow=pb_request([pb_node("f", "diag.flood", count=count, text=TOKEN)], []))


async def finished(stub: flow_service_pb2_grpc.FlowServiceStub, run_id: str) -> None:
    # From beyond the last seq: ends with the run and sends nothing; and ListRuns, not GetRun
    # (which carries the output): none of the run's multi-MiB values (its output, run_completed)
    # is on its way through the server when the test reads RSS.
    async for _ in stub.WatchRun(flow_service_pb2.WatchRunRequest(run_id=run_id, after_seq=1 << 62)):
        pass
    [run] = (await stub.ListRuns(flow_service_pb2.ListRunsRequest(page_size=1))).runs  # newest first
    assert run.run_id == run_id and run.state == runs_pb2.RUN_STATE_SUCCEEDED


@pytest.mark.parametrize("database", [
    "memory",
    # On SQLite this once failed 1 run in 3 (85 MiB against 42): glibc kept freed multi-MiB blocks in
    # its heap behind later allocations (server.process_memory), and the watcher, its window grown,
    # sat on the run's last events holding their message three times (server.servicer now frees a
    # batch once framed).
    "sqlite",
])
async def test_a_stalled_watcher_costs_no_memory(database: str, tmp_path: Path) -> None:
    database_url = "memory" if database == "memory" else f"sqlite:///{tmp_path / 'flowexec.db'}"
    async with flowexec_serve(cwd=tmp_path, FLOWEXEC_DATABASE_URL=database_url,
                              FLOWEXEC_MAX_NODE_TEXT_BYTES=str(2 * len(TOKEN) * COUNT)) as server:
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.http2.bdp_probe", 0)]
        async with grpc.aio.insecure_channel(server.target, options=options) as channel:
            stub = flow_service_pb2_grpc.FlowServiceStub(channel)
            warm = (await stub.StartRun(flood(5000))).run.run_id  # what any first run loads
            await finished(stub, warm)

            before = server.rss_mib()
            unwatched = (await stub.StartRun(flood(COUNT))).run.run_id
            await finished(stub, unwatched)
            stored = server.rss_mib() - before

            run_id = (await stub.StartRun(flood(COUNT))).run.run_id
            call = stub.WatchRun(flow_service_pb2.WatchRunRequest(run_id=run_id))
            events: list[events_pb2.NodeEvent] = list((await call.read()).events)
            await finished(stub, run_id)  # the watcher has read nothing since its first response
            watched = server.rss_mib() - before - stored

            while (response := await call.read()) is not grpc.aio.EOF:
                events.extend(response.events)
            assert await call.code() == grpc.StatusCode.OK

    assert watched < stored + BOUND_MIB, (f"a stalled watcher's run grew the server by {watched:.1f} MiB, "
                                          f"a run without watcher by {stored:.1f} MiB")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    deltas = [e.text_delta.chunk for e in events if e.HasField("text_delta")]
    [output] = [e.node_output.output.text for e in events if e.HasField("node_output")]
    assert "".join(deltas) == output == TOKEN * COUNT
    assert events[-1].HasField("run_completed")
