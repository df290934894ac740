"""StartRun, GetRun, ListRuns, CancelRun: the run as a resource, and the errors callers get."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from flowexec.errors import field_violations
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2, runs_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.images.samples import solid
from tests.runs.runs_client import CANCELLED, COMPLETE, RUNNING, Runs, final_statuses, is_status

SUCCEEDED, FAILED = runs_pb2.RUN_STATE_SUCCEEDED, runs_pb2.RUN_STATE_FAILED
RUN_CANCELLED, RUN_RUNNING = runs_pb2.RUN_STATE_CANCELLED, runs_pb2.RUN_STATE_RUNNING
UNKNOWN_RUN = "0123456789abcdef0123456789abcdef"


async def rpc_error(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]
    return info.value


async def test_start_run_returns_at_once_with_the_planned_nodes(runs: Runs) -> None:
    flow = pb_request([pb_node("a", "diag.delay", seconds=0.3, text="A"), pb_node("o", "textOutput")], [pb_edge("a", "o")])
    run = await runs.start(flow)
    assert run.state == RUN_RUNNING and run.owner == "local" and run.flow_id == "test-flow"
    assert [(n.node_id, n.status) for n in run.nodes] == [("a", events_pb2.NODE_STATUS_PENDING),
                                                          ("o", events_pb2.NODE_STATUS_PENDING)]
    assert len(run.run_id) == 32 and run.created_time.seconds > 0
    events = await runs.watch(run.run_id)
    assert events[0].run_id == run.run_id and events[-1].run_completed.outputs["o"].text == "A"


async def test_get_run_reports_state_nodes_outputs_counts_and_times(runs: Runs) -> None:
    flow = pb_request([pb_node("ok", "diag.delay", text="fine"), pb_node("bad", "diag.fail", message="vendor down",
                                                                           retryable=True),
                       pb_node("after", "textOutput")], [pb_edge("bad", "after")])
    run = await runs.start(flow)
    await runs.watch(run.run_id)
    got = await runs.get(run.run_id)
    assert got.state == FAILED and got.fully_stored and not got.dry_run and not got.parent_run_id
    nodes = {n.node_id: n for n in got.nodes}
    assert [n.node_id for n in got.nodes] == ["ok", "bad", "after"]
    assert nodes["ok"].status == COMPLETE and nodes["ok"].output.text == "fine"
    assert nodes["bad"].status == events_pb2.NODE_STATUS_ERROR and nodes["bad"].retryable
    assert nodes["bad"].reason == events_pb2.STATUS_REASON_PROVIDER_ERROR and nodes["bad"].message == "vendor down"
    assert nodes["after"].reason == events_pb2.STATUS_REASON_UPSTREAM_FAILED and not nodes["after"].HasField("output")
    assert (got.counts.complete, got.counts.error, got.counts.skipped) == (1, 1, 1)
    assert got.created_time.ToNanoseconds() <= got.started_time.ToNanoseconds() <= got.finished_time.ToNanoseconds()
    assert got.last_seq == len(await runs.watch(run.run_id))


async def test_get_run_sends_image_bytes_only_when_asked(runs: Runs) -> None:
    png = solid()
    flow = pb_request([pb_node("img", "imageGenerator"), pb_node("o", "textOutput")], [pb_edge("img", "o")],
                      trigger_node_id="o",
                      cached_outputs={"img": graph_pb2.NodeOutput(text="a red card", image=graph_pb2.Image(
                          data=png, mime_type="image/png"))})
    run = await runs.start(flow)
    await runs.watch(run.run_id)
    plain = {n.node_id: n for n in (await runs.get(run.run_id)).nodes}
    assert plain["img"].output.cached and plain["img"].output.image.mime_type == "image/png"
    assert plain["img"].output.image.data == b""
    full = {n.node_id: n for n in (await runs.get(run.run_id, include_images=True)).nodes}
    assert full["img"].output.image.data == png
    assert full["o"].output.text == "a red card"


async def test_list_runs_pages_newest_first_and_filters(runs: Runs) -> None:
    ids = []
    for i in range(7):
        flow = pb_request([pb_node("f", "diag.fail") if i == 3 else pb_node("t", "textOutput")], [])
        flow.flow_id = "odd" if i % 2 else "even"
        run = await runs.start(flow)
        await runs.watch(run.run_id)
        ids.append(run.run_id)
    listed, token, pages = [], "", 0
    while True:
        page = await runs.list(page_size=3, page_token=token)
        assert len(page.runs) <= 3 and all(not r.nodes for r in page.runs)
        listed += [r.run_id for r in page.runs]
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert listed == ids[::-1] and pages == 3
    assert [r.run_id for r in (await runs.list(flow_id="odd")).runs] == [ids[5], ids[3], ids[1]]
    assert [r.run_id for r in (await runs.list(states=[FAILED])).runs] == [ids[3]]
    assert [r.run_id for r in (await runs.list(flow_id="even", states=[FAILED, SUCCEEDED], page_size=2)).runs] == [
        ids[6], ids[4]]


async def test_cancel_run_cancels_and_is_idempotent(runs: Runs) -> None:
    flow = pb_request([pb_node("slow", "diag.delay", seconds=30), pb_node("after", "textOutput")], [pb_edge("slow", "after")])
    run = await runs.start(flow)
    seen = []
    async for response in runs.watch_call(run.run_id):
        seen.extend(response.events)
        if any(is_status(e, "slow", RUNNING) for e in seen):
            break
    cancelled = await runs.cancel(run.run_id)
    assert cancelled.state == RUN_CANCELLED and cancelled.counts.cancelled == 2
    final = final_statuses(await runs.watch(run.run_id))
    assert final["slow"].status == CANCELLED and final["slow"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED
    again = await runs.cancel(run.run_id)
    assert again == cancelled  # idempotent: the same run, unchanged

    done = await runs.start(pb_request([pb_node("t", "textOutput")], []))
    await runs.watch(done.run_id)
    assert (await runs.cancel(done.run_id)).state == SUCCEEDED  # a finished run stays as it is


async def test_idempotency_key_returns_the_same_run(runs: Runs) -> None:
    flow = pb_request([pb_node("a", "diag.delay", seconds=0.2, text="A")], [])
    first, again = await asyncio.gather(runs.start(flow, key="order-42"), runs.start(flow, key="order-42"))
    assert first.run_id == again.run_id
    await runs.watch(first.run_id)
    later = await runs.start(flow, key="order-42")  # after it ran: the same run, as it is now
    assert later.run_id == first.run_id and later.state == SUCCEEDED
    assert [n.status for n in later.nodes] == [COMPLETE]
    other = await runs.start(flow, key="order-43")
    assert other.run_id != first.run_id
    assert len((await runs.list()).runs) == 2


async def test_start_run_rejects_invalid_graphs_like_execute_flow(runs: Runs) -> None:
    flow = pb_request([pb_node("a", "textOutput")], [pb_edge("a", "ghost", edge_id="e7")])
    error = await rpc_error(runs.start(flow))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == [("edges[0].target", "edge 'e7' target 'ghost' is not a node of the flow")]
    assert (await runs.list()).runs == []  # nothing was stored


async def test_unknown_runs_are_not_found_and_bad_fields_are_named(runs: Runs) -> None:
    for call in (runs.get(UNKNOWN_RUN), runs.cancel(UNKNOWN_RUN), runs.resume(UNKNOWN_RUN), runs.watch(UNKNOWN_RUN)):
        error = await rpc_error(call)
        assert error.code() is grpc.StatusCode.NOT_FOUND and UNKNOWN_RUN in error.details()
    for call in (runs.get("nope"), runs.cancel(""), runs.resume("../x"), runs.watch("A" * 32)):
        error = await rpc_error(call)
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("run_id: ")
    for fields, named in (({"page_token": "garbage"}, "page_token: "), ({"page_size": -1}, "page_size: "),
                          ({"states": [0]}, "states[0]: "), ({"states": [2, 99]}, "states[1]: ")):
        error = await rpc_error(runs.list(**fields))
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith(named), fields
    error = await rpc_error(runs.start(pb_request([pb_node("t", "textOutput")], []), key="k" * 257))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT and error.details().startswith("idempotency_key: ")


async def test_undecodable_requests_are_invalid_argument(runs: Runs) -> None:
    for method, request_type in (("StartRun", flow_service_pb2.StartRunRequest), ("GetRun", flow_service_pb2.GetRunRequest),
                                 ("WatchRun", flow_service_pb2.WatchRunRequest)):
        call = runs.channel.unary_unary(f"/flowexec.v1.FlowService/{method}") if method != "WatchRun" else \
            runs.channel.unary_stream(f"/flowexec.v1.FlowService/{method}")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            result = call(b"\x0a\xff\xff\xff\xff\x0f")  # a length past the end
            if method == "WatchRun":
                [_ async for _ in result]  # type: ignore[union-attr]
            else:
                await result
        assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert info.value.details().startswith(f"request is not a valid {request_type.DESCRIPTOR.name}: ")


async def test_resume_of_a_run_still_going_is_failed_precondition(runs: Runs) -> None:
    run = await runs.start(pb_request([pb_node("slow", "diag.delay", seconds=30)], []))
    error = await rpc_error(runs.resume(run.run_id))
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    await runs.cancel(run.run_id)
