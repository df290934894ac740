"""Beyond the active-run limit a run waits QUEUED (FIFO); beyond the queue's bounds the answer is RESOURCE_EXHAUSTED."""

from __future__ import annotations

import time

import grpc
import jwt
import pytest

from flowexec.v1 import events_pb2, runs_pb2
from tests.builders import pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import Runs, final_statuses

QUEUED, RUNNING, SUCCEEDED = runs_pb2.RUN_STATE_QUEUED, runs_pb2.RUN_STATE_RUNNING, runs_pb2.RUN_STATE_SUCCEEDED
SECRET = "queue-test-secret-0123456789abcdef0123"


def token(sub: str) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600}, SECRET, algorithm="HS256")


def delay(seconds: float, text: str = "") -> object:
    return pb_request([pb_node("n", "diag.delay", seconds=seconds, text=text)], [])


async def test_runs_beyond_the_limit_wait_queued_and_start_in_order(serve: Serve) -> None:
    server = await serve(max_active_runs=1)
    async with Runs(server.target) as runs:
        first = await runs.start(delay(0.3, "first"))
        second = await runs.start(delay(0, "second"))
        third = await runs.start(delay(0, "third"))
        assert (first.state, second.state, third.state) == (RUNNING, QUEUED, QUEUED)
        assert (await runs.get(third.run_id)).state == QUEUED and not (await runs.get(third.run_id)).HasField("started_time")
        ends = {}
        for run in (third, second, first):  # watching a queued run waits for it to start and end
            events = await runs.watch(run.run_id)
            ends[run.run_id] = events[-1].time.ToNanoseconds()
            assert events[-1].run_completed.outputs["n"].text in ("first", "second", "third")
        assert ends[first.run_id] < ends[second.run_id] < ends[third.run_id]  # first in, first out
        for run in (first, second, third):
            got = await runs.get(run.run_id)
            assert got.state == SUCCEEDED and got.started_time.ToNanoseconds() >= got.created_time.ToNanoseconds()


async def test_the_queue_bound_and_the_per_user_cap(serve: Serve) -> None:
    server = await serve(max_active_runs=1, max_queued_runs=3, max_queued_runs_per_user=2, auth_jwt_secret=SECRET)
    async with Runs(server.target, token("ann")) as ann, Runs(server.target, token("bob")) as bob:
        busy = await ann.start(delay(30))
        queued = [await ann.start(delay(0)), await ann.start(delay(0))]
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await ann.start(delay(0))  # ann's third queued run: over her cap
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED and "2 runs queued" in info.value.details()
        bobs = await bob.start(delay(0))  # bob still gets a place
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await bob.start(delay(0))  # the queue is full (3)
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        assert [r.state for r in (*queued, bobs)] == [QUEUED] * 3
        await ann.cancel(busy.run_id)  # a slot frees: the queue moves, in order
        for client, run in ((ann, queued[0]), (ann, queued[1]), (bob, bobs)):
            assert (await client.wait_for_state(run.run_id, SUCCEEDED)).state == SUCCEEDED


async def test_cancelling_a_queued_run_ends_it_without_running_it(serve: Serve) -> None:
    server = await serve(max_active_runs=1)
    async with Runs(server.target) as runs:
        busy = await runs.start(delay(30))
        waiting = await runs.start(pb_request([pb_node("a", "diag.delay", text="A"), pb_node("b", "textOutput")], []))
        cancelled = await runs.cancel(waiting.run_id)
        assert cancelled.state == runs_pb2.RUN_STATE_CANCELLED and cancelled.counts.cancelled == 2
        events = await runs.watch(waiting.run_id)
        assert events[0].HasField("run_started") and list(events[0].run_started.planned_node_ids) == ["a", "b"]
        final = final_statuses(events)
        assert {n: s.status for n, s in final.items()} == {"a": events_pb2.NODE_STATUS_CANCELLED,
                                                           "b": events_pb2.NODE_STATUS_CANCELLED}
        assert final["a"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED
        assert events[-1].run_completed.counts.cancelled == 2
        assert not any(e.node_status.status == events_pb2.NODE_STATUS_RUNNING for e in events if e.HasField("node_status"))
        await runs.cancel(busy.run_id)
        # The cancelled run left the queue: the next run starts at once.
        assert (await runs.start(delay(0))).state == RUNNING


async def test_shutdown_ends_queued_runs_and_their_watchers(serve: Serve) -> None:
    server = await serve(max_active_runs=1)
    async with Runs(server.target) as runs:
        busy = await runs.start(delay(30))
        waiting = await runs.start(delay(0))
        call = runs.watch_call(waiting.run_id)
        await call.initial_metadata()  # the watch is established (a call still arriving would be refused)
        await server.stop(grace=0.1)
        events = [e async for response in call for e in response.events]
        assert await call.code() == grpc.StatusCode.OK
    assert final_statuses(events)["n"].reason == events_pb2.STATUS_REASON_SERVER_SHUTDOWN
    assert events[-1].HasField("run_completed")
    # It never ran: a slot freed by the shutdown does not start a queued run.
    assert not any(e.node_status.status == events_pb2.NODE_STATUS_RUNNING for e in events if e.HasField("node_status"))
    assert (await server.store.get_run(busy.run_id)).state.value == "cancelled"  # type: ignore[union-attr]


async def test_a_retried_start_finds_its_run_even_when_the_queue_is_full(serve: Serve) -> None:
    server = await serve(max_active_runs=1, max_queued_runs=1)
    async with Runs(server.target) as runs:
        busy = await runs.start(delay(30), key="busy")
        waiting = await runs.start(delay(0), key="waiting")
        assert (await runs.start(delay(0), key="waiting")).run_id == waiting.run_id  # the queue is full
        assert (await runs.start(delay(30), key="busy")).run_id == busy.run_id
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await runs.start(delay(0), key="new")
        assert info.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
        await runs.cancel(busy.run_id)


async def test_a_user_at_the_per_user_cap_waits_queued_while_other_users_go_ahead(serve: Serve) -> None:
    server = await serve(max_active_runs=2, max_active_runs_per_user=1, auth_jwt_secret=SECRET)
    async with (Runs(server.target, token("ann")) as ann, Runs(server.target, token("bob")) as bob,
                Runs(server.target, token("cat")) as cat):
        ann_busy = await ann.start(delay(30))
        ann_next = await ann.start(delay(0))  # a slot is free, but not for ann
        assert (ann_busy.state, ann_next.state) == (RUNNING, QUEUED)
        bob_busy = await bob.start(delay(30))  # bob is under his cap: he goes ahead of ann's run
        cat_run = await cat.start(delay(0))  # the server is full now
        assert (bob_busy.state, cat_run.state) == (RUNNING, QUEUED)
        await bob.cancel(bob_busy.run_id)  # the freed slot skips ann's run (her cap) for cat's
        assert (await cat.wait_for_state(cat_run.run_id, SUCCEEDED)).state == SUCCEEDED
        assert (await ann.get(ann_next.run_id)).state == QUEUED
        await ann.cancel(ann_busy.run_id)  # her own slot frees: now her run goes
        assert (await ann.wait_for_state(ann_next.run_id, SUCCEEDED)).state == SUCCEEDED
