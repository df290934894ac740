"""Golden runs of merge: every join policy × every way its inputs can arrive, on a real server.

Users of the anchors keep reporting merges that never fire, fire twice, or run both branches.
Each case fixes, for one policy and one outcome: whether the merge ran (once, never twice), what
it combined (combine "object" shows which inputs it saw), which nodes were skipped and why, and
whether it fired before a slow input had finished (any / first_non_null) or after (all).

Outcomes (left and right feed the merge's inputs "left" and "right"):
- if_left / if_right: a case routes to one branch; the other is not taken.
- parallel: both run; left at once, right (`slow`, diag.delay) later.
- left_fails: left fails (diag.fail), right delivers.
- null_first: left delivers null at once, right (`slow`) a value later.
"""

from __future__ import annotations

from typing import Any

import pytest

from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.elements.links import Seen, pb_link, pb_node, request

COMPLETE, SKIPPED, ERROR = events_pb2.NODE_STATUS_COMPLETE, events_pb2.NODE_STATUS_SKIPPED, events_pb2.NODE_STATUS_ERROR
RUNNING = events_pb2.NODE_STATUS_RUNNING
NOT_TAKEN, UPSTREAM = events_pb2.STATUS_REASON_BRANCH_NOT_TAKEN, events_pb2.STATUS_REASON_UPSTREAM_FAILED


def flow(outcome: str, join: str) -> Any:
    merge = pb_node("m", "merge", join=join, combine="object")
    end = pb_node("end", "end", input_schema={"result": {"type": "object"}})
    tail = [pb_link("m", "end", "value", "result")]
    if outcome in ("if_left", "if_right"):
        nodes = [pb_node("s", "start"),
                 pb_node("c", "case", input="x", cases=[{"output": "left", "operator": "equals", "value": "L"}],
                         default_output="right"),
                 pb_node("l", "selector"), pb_node("r", "selector"), merge, end]
        edges = [pb_link("s", "c"), pb_link("c", "l", "left"), pb_link("c", "r", "right"),
                 pb_link("l", "m", "value", "left"), pb_link("r", "m", "value", "right"), *tail]
        return request(nodes, edges, {"x": "L" if outcome == "if_left" else "R"})
    left = {"parallel": pb_node("l", "selector"), "left_fails": pb_node("l", "diag.fail", message="left broke"),
            "null_first": pb_node("l", "data_block", value=None)}[outcome]
    right = pb_node("r", "selector") if outcome == "left_fails" else pb_node("r", "diag.delay", seconds=0.3, text="slow")
    nodes = [pb_node("s", "start"), left, right, merge, end]
    left_out = "" if outcome == "left_fails" else "value"
    right_out = "value" if outcome == "left_fails" else ""
    edges = [pb_link("s", "l"), pb_link("s", "r"), pb_link("l", "m", left_out, "left"),
             pb_link("r", "m", right_out, "right"), *tail]
    return request(nodes, edges, {"x": "P"})


# (join, outcome) → (merge's combined value, or the reason it was skipped; nodes skipped with
# their reason; "early" / "late": the merge started before / after the slow input completed).
GOLDEN: dict[tuple[str, str], tuple[Any, dict[str, int], str | None]] = {
    ("any", "if_left"): ({"left": "L"}, {"r": NOT_TAKEN}, None),
    ("any", "if_right"): ({"right": "R"}, {"l": NOT_TAKEN}, None),
    ("any", "parallel"): ({"left": "P"}, {}, "early"),
    ("any", "left_fails"): ({"right": "P"}, {}, None),
    ("any", "null_first"): ({"left": None}, {}, "early"),
    ("all", "if_left"): (NOT_TAKEN, {"r": NOT_TAKEN, "m": NOT_TAKEN, "end": NOT_TAKEN}, None),
    ("all", "if_right"): (NOT_TAKEN, {"l": NOT_TAKEN, "m": NOT_TAKEN, "end": NOT_TAKEN}, None),
    ("all", "parallel"): ({"left": "P", "right": "slow"}, {}, "late"),
    ("all", "left_fails"): (UPSTREAM, {"m": UPSTREAM, "end": UPSTREAM}, None),
    ("all", "null_first"): ({"left": None, "right": "slow"}, {}, "late"),
    ("first_non_null", "if_left"): ({"left": "L"}, {"r": NOT_TAKEN}, None),
    ("first_non_null", "if_right"): ({"right": "R"}, {"l": NOT_TAKEN}, None),
    ("first_non_null", "parallel"): ({"left": "P"}, {}, "early"),
    ("first_non_null", "left_fails"): ({"right": "P"}, {}, None),
    ("first_non_null", "null_first"): ({"left": None, "right": "slow"}, {}, "late"),
}


@pytest.mark.parametrize(("join", "outcome"), list(GOLDEN), ids=[f"{j}-{o}" for j, o in GOLDEN])
async def test_merge_golden(client: FlowClient, join: str, outcome: str) -> None:
    expected, skipped, timing = GOLDEN[(join, outcome)]
    seen = Seen([e async for e in client.execute_flow(flow(outcome, join))])

    # Never twice: at most one start, one output, one terminal status.
    assert seen.ran("m") <= 1 and seen.outputs["m"] <= 1
    assert sum(s in (COMPLETE, SKIPPED, ERROR) for s in seen.statuses["m"]) == 1
    # Exactly the expected nodes were skipped, for the expected reason, and never ran.
    assert {n: f.reason for n, f in seen.final.items() if f.status == SKIPPED} == skipped
    assert all(seen.ran(n) == 0 for n in skipped)
    # Never both branches of an if/else.
    if outcome.startswith("if_"):
        assert seen.ran("l") + seen.ran("r") == 1
    if isinstance(expected, dict):
        assert seen.status("m") == COMPLETE and seen.ran("m") == 1
        assert seen.value("m") == expected
        assert seen.results() == {"result": expected}
    else:
        assert seen.status("m") == SKIPPED and seen.reason("m") == expected and not seen.results()
    if timing is not None:
        started, slow_done = seen.at[("m", RUNNING)], seen.at[("r", COMPLETE)]
        assert (started < slow_done) == (timing == "early")
    # A branch not taken is not an error: only the failing node counts as one.
    assert seen.completed.counts.error == (1 if outcome == "left_fails" else 0)
