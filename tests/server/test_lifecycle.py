"""Health checking and graceful shutdown of the server."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
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
        watch.cancel()  # an open Watch would otherwise hold the server for the whole grace
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
