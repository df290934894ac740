"""Health checking and graceful shutdown of the server.

Each test owns its server through `serving()`: the test drives the shutdown under test, and the
context manager stops whatever is left, also when an assertion fails half-way.
"""

from __future__ import annotations

import asyncio
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from execution.events import NodeStatus, StatusReason
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2_grpc
from tests.builders import pb_node, pb_request
from tests.fixtures.servers import serving
from tests.server.recording import RecordingEngine
from tests.statuses import final_statuses

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def complete(events: list[events_pb2.NodeEvent], node_id: str) -> bool:
    status = final_statuses(events).get(node_id)
    return status is not None and status.status == events_pb2.NODE_STATUS_COMPLETE


async def test_graceful_shutdown_lets_in_flight_runs_finish() -> None:
    async with serving() as server, FlowClient(server.target) as client, \
            grpc.aio.insecure_channel(server.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "flowexec.v1.FlowService"):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == SERVING
        watch = health.Watch(health_pb2.HealthCheckRequest(service="flowexec.v1.FlowService"))
        assert (await watch.read()).status == SERVING

        stream = client.execute_flow(pb_request([pb_node("s", "diag.delay", seconds=0.5, text="done")], []))
        events = [await anext(stream)]  # the run has started

        async def read_the_rest() -> None:
            events.extend([event async for event in stream])

        in_flight = asyncio.create_task(read_the_rest())
        stopping = asyncio.create_task(server.stop(grace=5))
        # Watchers (load balancers) learn of the drain while the run is still going.
        assert (await watch.read()).status == NOT_SERVING
        assert not in_flight.done()
        watch.cancel()  # done watching (left open, it would end by itself after NOT_SERVING)
        await asyncio.wait_for(in_flight, 5)
        await stopping
    assert final_statuses(events)["s"].status == events_pb2.NODE_STATUS_COMPLETE
    assert events[-1].run_completed.outputs["s"].text == "done"


async def test_shutdown_after_grace_cancels_with_server_shutdown_reason() -> None:
    engine = RecordingEngine()
    async with serving(engine) as server, FlowClient(server.target) as client:
        stream = client.execute_flow(pb_request([pb_node("s", "diag.delay", seconds=30)], []))
        await anext(stream)
        await server.stop(grace=0.2)
        run = engine.runs[-1]
        await asyncio.wait_for(run.finished.wait(), 2)
        await stream.aclose()
    assert run.status("s") is NodeStatus.CANCELLED
    assert run._cancel_reason is StatusReason.SERVER_SHUTDOWN


async def test_runs_cut_short_by_shutdown_tell_their_client_and_end_ok() -> None:
    async with serving() as server, grpc.aio.insecure_channel(server.target) as channel:
        call = flow_service_pb2_grpc.FlowServiceStub(channel).ExecuteFlow(pb_request(
            [pb_node("slow", "diag.delay", seconds=60), pb_node("quick", "diag.delay", text="done")], []))
        events: list[events_pb2.NodeEvent] = []
        while not complete(events, "quick"):
            events.extend((await call.read()).events)
        stopping = asyncio.create_task(server.stop(grace=0.2))
        async with asyncio.timeout(10):
            while (response := await call.read()) is not grpc.aio.EOF:
                events.extend(response.events)
            assert await call.code() == grpc.StatusCode.OK
            await stopping
    slow = final_statuses(events)["slow"]
    assert (slow.status, slow.reason) == (events_pb2.NODE_STATUS_CANCELLED, events_pb2.STATUS_REASON_SERVER_SHUTDOWN)
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.cancelled) == (1, 1)
    assert done.outputs["quick"].text == "done"


async def test_an_open_health_watch_does_not_hold_shutdown() -> None:
    async with serving() as server, grpc.aio.insecure_channel(server.target) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
        assert (await watch.read()).status == SERVING
        started = time.monotonic()
        await server.stop(grace=10)
        assert time.monotonic() - started < 2
        # The watcher was told before its stream ended, and the stream ended cleanly.
        assert (await watch.read()).status == NOT_SERVING
        assert await watch.read() is grpc.aio.EOF
        assert await watch.code() == grpc.StatusCode.OK
