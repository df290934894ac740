"""Stored runs and the new values: named outputs, results and run inputs survive the store (memory
and SQLite: GetRun, a WatchRun replay, ResumeRun); the run's time limit ends a detached run."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import json_format

from execution.store.open import open_store
from flowexec.v1 import events_pb2, runs_pb2
from tests.elements.links import pb_link, pb_node, request
from tests.runs.conftest import Serve
from tests.runs.runs_client import COMPLETE, Runs, final_statuses

SKIPPED, CANCELLED = events_pb2.NODE_STATUS_SKIPPED, events_pb2.NODE_STATUS_CANCELLED


def branching_flow() -> object:
    nodes = [pb_node("s", "start"),
             pb_node("c", "case", input="n", cases=[{"output": "big", "operator": "gt", "value": 10}]),
             pb_node("pick", "selector", path="[1]"), pb_node("other", "textOutput"), pb_node("e", "end")]
    edges = [pb_link("s", "c"), pb_link("s", "pick", "items"), pb_link("c", "e", "big", "n"),
             pb_link("c", "other", "default", "text"), pb_link("pick", "e", "value", "second")]
    return request(nodes, edges, {"n": 11, "items": ["a", "b"]})


@pytest.mark.parametrize("store", ["memory", "sqlite"])
async def test_stored_run_keeps_values_results_and_branch_reasons(serve: Serve, tmp_path: Path, store: str) -> None:
    run_store = await open_store("memory" if store == "memory" else f"sqlite:///{tmp_path / 'runs.db'}")
    try:
        server = await serve(store=run_store)
        async with Runs(server.target) as runs:
            run = await runs.start(branching_flow())
            events = await runs.watch(run.run_id)
            got = await runs.get(run.run_id)
    finally:
        await run_store.close()
    assert got.state == runs_pb2.RUN_STATE_SUCCEEDED  # a branch not taken is no failure
    nodes = {n.node_id: n for n in got.nodes}
    assert nodes["other"].status == SKIPPED and nodes["other"].reason == events_pb2.STATUS_REASON_BRANCH_NOT_TAKEN
    assert json_format.MessageToDict(nodes["c"].output.values["big"]) == 11
    assert json_format.MessageToDict(nodes["e"].output.values["second"]) == "b"
    assert final_statuses(events)["e"].status == COMPLETE
    # The replay from the store carries the same values and results.
    completed = events[-1].run_completed
    assert {k: json_format.MessageToDict(v) for k, v in completed.results.items()} == {"n": 11, "second": "b"}


async def test_resume_feeds_stored_values_to_what_did_not_run(runs: Runs) -> None:
    # `slow` is cancelled mid-run; resumed, `e` runs on the stored start values and the new output.
    nodes = [pb_node("s", "start"), pb_node("slow", "diag.delay", seconds=0.5, text="late"), pb_node("e", "end")]
    flow = request(nodes, [pb_link("s", "slow"), pb_link("s", "e", "topic", "topic"), pb_link("slow", "e", "", "text")],
                   {"topic": "tides"})
    run = await runs.start(flow)
    await runs.wait_for_state(run.run_id, runs_pb2.RUN_STATE_RUNNING)
    await runs.cancel(run.run_id)
    resumed = await runs.resume(run.run_id)
    events = await runs.watch(resumed.run_id)
    results = {k: json_format.MessageToDict(v) for k, v in events[-1].run_completed.results.items()}
    assert results == {"topic": "tides", "text": "late"}


async def test_time_limit_ends_a_detached_run_with_a_clear_reason(runs: Runs) -> None:
    nodes = [pb_node("quick", "data_block", value="done"), pb_node("stuck", "diag.delay", seconds=60),
             pb_node("after", "textOutput")]
    run = await runs.start(request(nodes, [pb_link("stuck", "after")], max_execution_ms=300))
    events = await runs.watch(run.run_id, timeout=20)
    final = final_statuses(events)
    assert final["quick"].status == COMPLETE
    for node in ("stuck", "after"):  # running and pending alike
        assert final[node].status == CANCELLED and final[node].reason == events_pb2.STATUS_REASON_RUN_TIME_LIMIT
        assert final[node].message == "The run's time limit of 300 ms passed"
    assert events[-1].HasField("run_completed") and events[-1].run_completed.counts.cancelled == 2
    got = await runs.get(run.run_id)
    assert got.state == runs_pb2.RUN_STATE_CANCELLED


async def test_time_limit_over_execute_flow_ends_the_stream_normally(runs: Runs) -> None:
    call = runs.execute(request([pb_node("stuck", "diag.delay", seconds=60)], [], max_execution_ms=200))
    events = [e async for response in call for e in response.events]
    assert final_statuses(events)["stuck"].reason == events_pb2.STATUS_REASON_RUN_TIME_LIMIT
    assert events[-1].HasField("run_completed")
