"""ExecuteFlow leaves the run's record to the run's writer: its first events do not wait for that
commit, the calls that read the store wait for the record instead of answering NOT_FOUND, and a
store that is away when the run starts makes a run that is not fully stored, not a refused call."""

from __future__ import annotations

import asyncio

import grpc

from execution.store.base import RunStore
from flowexec.v1 import events_pb2, flow_service_pb2_grpc, runs_pb2
from tests.builders import pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import Runs, seqs
from tests.runs.stores import FaultyStore


async def test_first_events_go_out_before_the_record_is_committed(serve: Serve, run_store: RunStore) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        stub = flow_service_pb2_grpc.FlowServiceStub(runs.channel)
        store.commits.clear()  # every write hangs, the run's record too
        try:
            call = stub.ExecuteFlow(pb_request([pb_node("d", "diag.delay", seconds=0.05, text="D")], []))
            async with asyncio.timeout(5):
                first = await call.read()
            assert first is not grpc.aio.EOF
            events: list[events_pb2.NodeEvent] = list(first.events)
            run_id = events[0].run_id
            assert events[0].HasField("run_started")
            assert await store.inner.get_run(run_id) is None  # sent before its record was stored

            got = asyncio.create_task(runs.get(run_id))
            await asyncio.sleep(0.2)
            assert not got.done()  # waits for the record: NOT_FOUND would be wrong
        finally:
            store.commits.set()
        while (response := await call.read()) is not grpc.aio.EOF:
            events.extend(response.events)
        assert (await got).run_id == run_id
    assert seqs(events) == list(range(1, len(events) + 1)) and events[-1].HasField("run_completed")
    stored = await store.inner.get_run(run_id)
    assert stored is not None and stored.state.value == "succeeded" and stored.fully_stored


async def test_a_store_away_at_the_start_makes_a_run_not_fully_stored(serve: Serve, run_store: RunStore) -> None:
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        stub = flow_service_pb2_grpc.FlowServiceStub(runs.channel)
        store.down = True
        try:
            async with asyncio.timeout(10):
                events = [e async for response in stub.ExecuteFlow(pb_request([pb_node("t", "textOutput")], []))
                          for e in response.events]
        finally:
            store.down = False
        assert events[-1].run_completed.counts.complete == 1  # the run went on, its watcher with it
        run_id = events[0].run_id
        async with asyncio.timeout(10):  # the writer stores the ended run once the store is back
            while (stored := await store.inner.get_run(run_id)) is None:
                await asyncio.sleep(0.05)
        got = await runs.get(run_id)
        assert got.state == runs_pb2.RUN_STATE_SUCCEEDED and not got.fully_stored
        assert stored.last_seq == len(events)


async def test_a_record_stored_whose_answer_was_lost_gets_its_final_state(serve: Serve, run_store: RunStore) -> None:
    """The first batch (which creates the record) commits but its answer is lost: the writer still
    takes the run for unstored, so every later batch trying to create it again is refused; the
    final state then goes as an update of the record that does exist."""
    store = FaultyStore(run_store)
    server = await serve(store=store)
    async with Runs(server.target) as runs:
        stub = flow_service_pb2_grpc.FlowServiceStub(runs.channel)
        store.lose_next_answer = True
        async with asyncio.timeout(10):
            events = [e async for response in stub.ExecuteFlow(pb_request(
                [pb_node("d", "diag.delay", seconds=0.2, text="D")], [])) for e in response.events]
        assert events[-1].run_completed.counts.complete == 1
        async with asyncio.timeout(10):
            while (stored := await store.inner.get_run(events[0].run_id)).state.value == "running":  # type: ignore[union-attr]
                await asyncio.sleep(0.05)
        assert stored.state.value == "succeeded" and not stored.fully_stored  # type: ignore[union-attr]
        assert stored.last_seq == len(events)  # type: ignore[union-attr]
