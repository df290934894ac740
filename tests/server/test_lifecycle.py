"""Health checking and graceful shutdown of the server."""

from __future__ import annotations

import asyncio
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2_grpc
from server.app import FlowexecServer
from server.settings import ServerSettings
from tests.builders import pb_node, pb_request


async def test_graceful_shutdown_lets_in_flight_runs_finish() -> None:
    server = FlowexecServer(Engine(builtin_registry(diagnostic_nodes=True)),
                            ServerSettings(host="127.0.0.1", port=0, _env_file=None))
    await server.start()
    async with FlowClient(server.target) as client, grpc.aio.insecure_channel(server.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "flowexec.v1.FlowService"):
            reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
            assert reply.status == health_pb2.HealthCheckResponse.SERVING

        events = []

        async def run() -> None:
            async for event in client.execute_flow(pb_request([pb_node("s", "diag.delay", seconds=0.5, text="done")], [])):
                events.append(event)

        watch = health.Watch(health_pb2.HealthCheckRequest(service="flowexec.v1.FlowService"))
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
        in_flight = asyncio.create_task(run())
        while not events:
            await asyncio.sleep(0.01)
        stopping = asyncio.create_task(server.stop(grace=5))
        # Watchers (load balancers) learn of the drain while the run is still going.
        assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
        assert not in_flight.done()
        watch.cancel()  # done watching (left open, it would end by itself after NOT_SERVING)
        await asyncio.wait_for(in_flight, 5)
        await stopping
    final = [e.node_status for e in events if e.HasField("node_status")][-1]
    assert final.status == events_pb2.NODE_STATUS_COMPLETE
    assert events[-1].run_completed.outputs["s"].text == "done"


async def test_shutdown_after_grace_cancels_with_server_shutdown_reason() -> None:
    from tests.server.recording import RecordingEngine

    engine = RecordingEngine()
    server = FlowexecServer(engine, ServerSettings(host="127.0.0.1", port=0, _env_file=None))
    await server.start()
    async with FlowClient(server.target) as client:
        stream = client.execute_flow(pb_request([pb_node("s", "diag.delay", seconds=30)], []))
        await stream.__anext__()
        await server.stop(grace=0.2)
        run = engine.runs[-1]
        await asyncio.wait_for(run.finished.wait(), 2)
        assert run.status("s").name == "CANCELLED"
        assert run._cancel_reason.name == "SERVER_SHUTDOWN"
        await stream.aclose()


async def test_runs_cut_short_by_shutdown_tell_their_client_and_end_ok() -> None:
    server = FlowexecServer(Engine(builtin_registry(diagnostic_nodes=True)),
                            ServerSettings(host="127.0.0.1", port=0, _env_file=None))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(server.target) as channel:
            call = flow_service_pb2_grpc.FlowServiceStub(channel).ExecuteFlow(pb_request(
                [pb_node("slow", "diag.delay", seconds=60), pb_node("quick", "diag.delay", text="done")], []))
            events: list[events_pb2.NodeEvent] = []

            def finished(node_id: str) -> bool:
                return any(e.node_status.node_id == node_id and e.node_status.status == events_pb2.NODE_STATUS_COMPLETE
                           for e in events if e.HasField("node_status"))

            while not finished("quick"):
                events.extend((await call.read()).events)
            stopping = asyncio.create_task(server.stop(grace=0.2))
            async with asyncio.timeout(10):
                while (response := await call.read()) is not grpc.aio.EOF:
                    events.extend(response.events)
                assert await call.code() == grpc.StatusCode.OK
                await stopping
    finally:
        await server.stop(grace=0)
    [slow] = [e.node_status for e in events if e.HasField("node_status") and e.node_status.node_id == "slow"
              and e.node_status.status == events_pb2.NODE_STATUS_CANCELLED]
    assert slow.reason == events_pb2.STATUS_REASON_SERVER_SHUTDOWN
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.cancelled) == (1, 1)
    assert done.outputs["quick"].text == "done"


async def test_an_open_health_watch_does_not_hold_shutdown() -> None:
    server = FlowexecServer(Engine(builtin_registry(diagnostic_nodes=True)),
                            ServerSettings(host="127.0.0.1", port=0, _env_file=None))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(server.target) as channel:
            watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""))
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.SERVING
            started = time.monotonic()
            await server.stop(grace=10)
            assert time.monotonic() - started < 2
            # The watcher was told before its stream ended, and the stream ended cleanly.
            assert (await watch.read()).status == health_pb2.HealthCheckResponse.NOT_SERVING
            assert await watch.read() is grpc.aio.EOF
            assert await watch.code() == grpc.StatusCode.OK
    finally:
        await server.stop(grace=0)
