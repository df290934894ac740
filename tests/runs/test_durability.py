"""What a watcher sees relative to what is stored, and a store that goes away mid-run.

The rule: a watcher never receives a node's COMPLETE (nor the run's last event) before the write
holding it — and the node's output — is committed; every other event is delivered as soon as it
exists, commit or not.
"""

from __future__ import annotations

import asyncio
import logging

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from execution.events import NodeStatus
from execution.store.base import RunStore
from flowexec.v1 import events_pb2, graph_pb2, runs_pb2
from server.app import STORAGE_HEALTH_NAME
from tests.builders import pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, Runs, is_status, seqs
from tests.runs.stores import FaultyStore

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


def stream(chunks: int, interval: float) -> graph_pb2.Node:
    return pb_node("s", "diag.stream", chunks=[f"t{i} " for i in range(chunks)], interval=interval)


async def until(predicate: object, timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():  # type: ignore[operator]
            await asyncio.sleep(0.005)


async def test_complete_is_held_until_committed_while_other_events_flow(serve: Serve, run_store: RunStore) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        run = await runs.start(pb_request([stream(40, 0.02), pb_node("q", "diag.delay", seconds=0.3, text="Q")], []))
        seen: list[events_pb2.NodeEvent] = []
        checked: list[str] = []

        async def watch() -> None:
            async for response in runs.watch_call(run.run_id):
                for event in response.events:
                    seen.append(event)
                    if event.HasField("node_status") and event.node_status.status == COMPLETE:
                        stored = {n.node_id: n for n in await store.inner.get_nodes(run.run_id)}[event.node_status.node_id]
                        assert stored.status is NodeStatus.COMPLETE and stored.output is not None
                        checked.append(event.node_status.node_id)

        watcher = asyncio.create_task(watch())
        await until(lambda: sum(e.HasField("text_delta") for e in seen) > 3)
        store.commits.clear()  # from now on commits hang
        try:
            stored_seq = (await store.inner.get_run(run.run_id)).last_seq  # type: ignore[union-attr]
            await asyncio.sleep(0.5)  # q completes (0.3 s) while s streams on
            assert max(seqs(seen)) > stored_seq + 3  # events not yet stored reached the watcher...
            assert not any(is_status(e, "q", COMPLETE) for e in seen)  # ...q's COMPLETE did not
        finally:
            store.commits.set()
        await asyncio.wait_for(watcher, 10)
    assert sorted(checked) == ["q", "s"]
    assert seqs(seen) == list(range(1, len(seen) + 1)) and seen[-1].HasField("run_completed")


async def test_the_runs_last_event_is_held_until_committed(serve: Serve, run_store: RunStore) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        # No node completes, so only the rule for the last event holds run_completed back.
        run = await runs.start(pb_request([pb_node("f", "diag.fail", seconds=0.2, message="down")], []))
        seen: list[events_pb2.NodeEvent] = []

        async def watch() -> None:
            async for response in runs.watch_call(run.run_id):
                seen.extend(response.events)

        watcher = asyncio.create_task(watch())
        await until(lambda: any(is_status(e, "f", events_pb2.NODE_STATUS_RUNNING) for e in seen))
        store.commits.clear()
        try:
            await asyncio.sleep(0.5)  # the node failed and the run ended meanwhile
            assert any(is_status(e, "f", events_pb2.NODE_STATUS_ERROR) for e in seen)  # not held: no output to lose
            assert not any(e.HasField("run_completed") for e in seen)
            assert (await store.inner.get_run(run.run_id)).state.value == "running"  # type: ignore[union-attr]
        finally:
            store.commits.set()
        await asyncio.wait_for(watcher, 10)
        assert seen[-1].HasField("run_completed")
        assert (await runs.get(run.run_id)).state == runs_pb2.RUN_STATE_FAILED


async def test_a_store_that_goes_away_mid_run(serve: Serve, run_store: RunStore, caplog: pytest.LogCaptureFixture) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs, grpc.aio.insecure_channel(server.target) as channel:
        health = health_pb2_grpc.HealthStub(channel)

        async def storage() -> int:
            reply = await health.Check(health_pb2.HealthCheckRequest(service=STORAGE_HEALTH_NAME))
            return reply.status

        assert await storage() == SERVING
        run = await runs.start(pb_request([stream(60, 0.01)], []))
        seen: list[events_pb2.NodeEvent] = []

        async def watch() -> None:
            async for response in runs.watch_call(run.run_id):
                seen.extend(response.events)

        watcher = asyncio.create_task(watch())
        await until(lambda: len(seen) > 10)
        with caplog.at_level(logging.ERROR, logger="flowexec.runs"):
            store.down = True
            await until(lambda: store.failed_writes > 2)
            assert await storage() == NOT_SERVING  # health says so; FlowService itself still serves
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await runs.get(run.run_id)
            assert info.value.code() is grpc.StatusCode.UNAVAILABLE
            mark = len(seen)
            await until(lambda: len(seen) > mark + 10)  # the run goes on and its watcher with it
            store.down = False
            await asyncio.wait_for(watcher, 10)
        assert [r.message for r in caplog.records if "the run store is unavailable" in r.message]

        assert seqs(seen) == list(range(1, len(seen) + 1)) and seen[-1].HasField("run_completed")
        assert seen[-1].run_completed.counts.complete == 1
        got = await runs.get(run.run_id)
        assert got.state == runs_pb2.RUN_STATE_SUCCEEDED and not got.fully_stored
        assert await storage() == SERVING

        # A replay cannot cross the hole: DATA_LOSS says which events are missing and where to go on.
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await runs.watch(run.run_id)
        assert info.value.code() is grpc.StatusCode.DATA_LOSS
        after = int(info.value.details().rpartition("after_seq ")[2].split()[0])
        rest = await runs.watch(run.run_id, after)
        assert rest[-1].HasField("run_completed") and seqs(rest) == list(range(after + 1, len(seen) + 1))

        # Nothing crashed: the next run is stored whole.
        again = await runs.start(pb_request([pb_node("t", "textOutput")], []))
        assert (await runs.watch(again.run_id))[-1].HasField("run_completed")
        assert (await runs.get(again.run_id)).fully_stored


async def test_a_run_that_ends_while_the_store_is_away_is_stored_as_ended_once_it_is_back(
        serve: Serve, run_store: RunStore) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        run = await runs.start(pb_request([pb_node("d", "diag.delay", seconds=0.2, text="D")], []))
        call = runs.watch_call(run.run_id)
        first = await call.read()
        store.down = True
        events = list(first.events)
        while (response := await call.read()) is not grpc.aio.EOF:
            events.extend(response.events)
        assert events[-1].run_completed.outputs["d"].text == "D"  # the watcher saw the whole run
        await asyncio.sleep(0.2)
        store.down = False
        async with asyncio.timeout(10):
            while (got := await runs.get(run.run_id)).state != runs_pb2.RUN_STATE_SUCCEEDED:
                await asyncio.sleep(0.1)
        assert not got.fully_stored and got.counts.complete == 1
