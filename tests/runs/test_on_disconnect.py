"""ExecuteFlow's `options.on_disconnect`: a dropped call cancels its run (default) or lets it finish, stored."""

from __future__ import annotations

import grpc
import pytest

from flowexec.v1 import events_pb2, flow_service_pb2, runs_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.runs.runs_client import RUNNING, Runs, final_statuses, is_status

FLOW_NODES = [pb_node("slow", "diag.delay", seconds=0.4, text="late"), pb_node("out", "textOutput")]


def flow(on_disconnect: int) -> flow_service_pb2.ExecuteFlowRequest:
    request = pb_request(FLOW_NODES, [pb_edge("slow", "out")])
    request.options.on_disconnect = on_disconnect
    return request


async def drop_when_running(runs: Runs, request: flow_service_pb2.ExecuteFlowRequest) -> str:
    """Start ExecuteFlow, read until `slow` runs, then drop the call; returns the run id."""
    call = runs.execute(request)
    seen: list[events_pb2.NodeEvent] = []
    async for response in call:
        seen.extend(response.events)
        if any(is_status(e, "slow", RUNNING) for e in seen):
            break
    call.cancel()
    return seen[0].run_id


async def test_continue_survives_a_dropped_client_and_is_watchable_after(runs: Runs) -> None:
    run_id = await drop_when_running(runs, flow(flow_service_pb2.ON_DISCONNECT_CONTINUE))
    events = await runs.watch(run_id)  # reattach from the start
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[-1].run_completed.outputs["out"].text == "late"
    assert (await runs.get(run_id)).state == runs_pb2.RUN_STATE_SUCCEEDED


@pytest.mark.parametrize("on_disconnect", [flow_service_pb2.ON_DISCONNECT_UNSPECIFIED, flow_service_pb2.ON_DISCONNECT_CANCEL])
async def test_by_default_a_dropped_client_cancels_its_run(runs: Runs, on_disconnect: int) -> None:
    run_id = await drop_when_running(runs, flow(on_disconnect))
    run = await runs.wait_for_state(run_id, runs_pb2.RUN_STATE_CANCELLED)
    assert run.counts.cancelled == 2
    final = final_statuses(await runs.watch(run_id))
    assert final["slow"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED


async def test_continue_outlives_the_calls_deadline(runs: Runs) -> None:
    call = runs.execute(flow(flow_service_pb2.ON_DISCONNECT_CONTINUE), timeout=0.2)
    seen = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for response in call:
            seen.extend(response.events)
    assert info.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    run = await runs.wait_for_state(seen[0].run_id, runs_pb2.RUN_STATE_SUCCEEDED)
    assert run.counts.complete == 2
