"""case and flow_select on a real server: exactly the matching branch's nodes run; the nodes of the
other branches end SKIPPED with BRANCH_NOT_TAKEN — never run, never an error, never confused with
an upstream failure."""

from __future__ import annotations

from typing import Any

import pytest

from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.elements.links import Seen, pb_link, pb_node, request

COMPLETE, SKIPPED, ERROR = events_pb2.NODE_STATUS_COMPLETE, events_pb2.NODE_STATUS_SKIPPED, events_pb2.NODE_STATUS_ERROR
NOT_TAKEN, UPSTREAM = events_pb2.STATUS_REASON_BRANCH_NOT_TAKEN, events_pb2.STATUS_REASON_UPSTREAM_FAILED


async def run(client: FlowClient, req: Any) -> Seen:
    return Seen([e async for e in client.execute_flow(req)])


def grader(score: Any) -> Any:
    """start → case on `score` → three chains of two nodes (an element, then an editor node)."""
    cases = [{"output": "high", "operator": ">=", "value": 90}, {"output": "mid", "operator": "gte", "value": 50}]
    nodes = [pb_node("s", "start"), pb_node("c", "case", input="score", cases=cases, default_output="low")]
    edges = [pb_link("s", "c")]
    for route in ("high", "mid", "low"):
        nodes += [pb_node(f"{route}1", "selector"), pb_node(f"{route}2", "textOutput")]
        edges += [pb_link("c", f"{route}1", route), pb_link(f"{route}1", f"{route}2", "value", "text")]
    return request(nodes, edges, {"score": score})


@pytest.mark.parametrize(("score", "taken"), [(95, "high"), (90, "high"), ("72", "mid"), (3, "low"), ("n/a", "low")])
async def test_case_runs_exactly_the_matching_branch(client: FlowClient, score: Any, taken: str) -> None:
    seen = await run(client, grader(score))
    for route in ("high", "mid", "low"):
        for node in (f"{route}1", f"{route}2"):
            if route == taken:
                assert seen.status(node) == COMPLETE and seen.ran(node) == 1
            else:
                assert (seen.status(node), seen.reason(node)) == (SKIPPED, NOT_TAKEN)
                assert seen.final[node].message == "Branch not taken" and seen.ran(node) == 0
    assert seen.output[f"{taken}2"].text == str(score)  # the case passed its input down the route
    assert seen.completed.counts.error == 0 and seen.completed.counts.skipped == 4
    assert list(seen.output["c"].values) == [taken]  # only the route taken is in the case's output


async def test_a_node_also_reached_through_a_taken_branch_runs(client: FlowClient) -> None:
    # join ← high route (not taken) and ← low route (taken): it runs, with the low input only.
    req = grader(1)
    req.nodes.append(pb_node("join", "textOutput"))
    req.edges.extend([pb_link("high1", "join", "value", "text"), pb_link("low1", "join", "value", "text")])
    seen = await run(client, req)
    assert seen.status("join") == COMPLETE and seen.output["join"].text == "1"


async def test_failure_wins_over_a_branch_not_taken_and_they_stay_distinct(client: FlowClient) -> None:
    req = grader(1)
    req.nodes.extend([pb_node("boom", "diag.fail", message="down"), pb_node("both", "textOutput"),
                      pb_node("after-high", "textOutput")])
    req.edges.extend([pb_link("high1", "both", "value", "text"), pb_link("boom", "both"),
                      pb_link("high2", "after-high")])
    seen = await run(client, req)
    assert (seen.status("both"), seen.reason("both")) == (SKIPPED, UPSTREAM)
    # Downstream of a skipped branch: still BRANCH_NOT_TAKEN, not an upstream failure.
    assert (seen.status("after-high"), seen.reason("after-high")) == (SKIPPED, NOT_TAKEN)


async def test_whole_output_edge_from_a_case_is_always_taken(client: FlowClient) -> None:
    req = grader(1)
    req.nodes.append(pb_node("log", "textOutput"))
    req.edges.append(pb_link("c", "log"))
    seen = await run(client, req)
    assert seen.status("log") == COMPLETE and seen.output["log"].text == "1"


def selector_flow(key_setting: str | None, key_input: str | None, default: str = "") -> Any:
    settings: dict[str, Any] = {"outputs": ["draft", "publish", "archive"], "default_output": default}
    if key_setting is not None:
        settings["key"] = key_setting
    nodes = [pb_node("s", "start"), pb_node("f", "flow_select", **settings)]
    edges = [pb_link("s", "f", "doc", "value")]
    if key_input is not None:
        edges.append(pb_link("s", "f", "action", "key"))
    routes = ["draft", "publish", "archive", *([default] if default else [])]
    for route in routes:
        nodes.append(pb_node(f"to-{route}", "textOutput"))
        edges.append(pb_link("f", f"to-{route}", route, "text"))
    return request(nodes, edges, {"doc": "the text", "action": key_input or ""})


@pytest.mark.parametrize(("key_setting", "key_input", "default", "taken"), [
    (None, "publish", "", "publish"),      # the key from an input
    ("archive", "publish", "", "archive"),  # a fixed key in the settings wins
    (None, "shred", "review", "review"),    # a key naming no output: the default route
])
async def test_flow_select_routes_to_one_output(client: FlowClient, key_setting: str | None, key_input: str | None,
                                                default: str, taken: str) -> None:
    seen = await run(client, selector_flow(key_setting, key_input, default))
    routed = [n for n in seen.final if n.startswith("to-")]
    assert [n for n in routed if seen.status(n) == COMPLETE] == [f"to-{taken}"]
    assert all(seen.reason(n) == NOT_TAKEN and seen.ran(n) == 0 for n in routed if n != f"to-{taken}")
    assert seen.output[f"to-{taken}"].text == "the text"


async def test_flow_select_key_naming_no_output_fails_the_node_and_skips_every_route(client: FlowClient) -> None:
    seen = await run(client, selector_flow(None, "shred"))
    assert seen.status("f") == ERROR and seen.reason("f") == events_pb2.STATUS_REASON_INVALID_INPUT
    assert "'shred'" in seen.final["f"].message and "draft, publish, archive" in seen.final["f"].message
    assert all(seen.reason(n) == UPSTREAM for n in ("to-draft", "to-publish", "to-archive"))
