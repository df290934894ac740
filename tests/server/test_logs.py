"""The server's log as an operator reads it: one line per record, whatever a request holds."""

from __future__ import annotations

import logging

import grpc
import pytest

from flowexec.client import FlowClient
from flowexec.v1 import flow_service_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fixtures.server_log import ServerLog, assert_trustworthy

FORGED = "\n2026-01-01 INFO forged"


async def test_request_strings_cannot_forge_log_lines(client: FlowClient, server_log: ServerLog) -> None:
    flow_id = f"demo{FORGED}\u202e\x00"
    # Logged by the engine: the flow id, the node id, and the error message (a setting of diag.fail).
    nodes = [pb_node(f"bad{FORGED}", "diag.fail", message=f"boom{FORGED}\x1b[2J"), pb_node("next\u2028", "textOutput")]
    request = pb_request(nodes, [pb_edge(nodes[0].id, nodes[1].id)])
    request.flow_id = flow_id
    events = [e async for e in client.execute_flow(request)]
    assert events[-1].run_completed.counts.error == 1
    request.nodes.append(pb_node(f"ghost{FORGED}", "textOutput"))
    request.edges.append(pb_edge(f"ghost{FORGED}", "nowhere\r\n"))
    with pytest.raises(grpc.aio.AioRpcError):
        [e async for e in client.execute_flow(request)]

    assert_trustworthy(server_log)
    text = server_log.text
    assert "flow=demo\\n2026-01-01 INFO forged\\u202e\\x00 planned=2" in text  # the run started line
    assert "node bad\\n2026-01-01 INFO forged error (provider_error): boom\\n2026-01-01 INFO forged\\x1b[2J" in text
    assert "rejected flow demo\\n2026-01-01 INFO forged\\u202e\\x00: edges[1].target: " in text
    assert not [line for line in server_log.lines() if "forged" in line and line.startswith("2026-01-01")]


async def test_one_rejected_request_logs_one_short_line(client: FlowClient, server_log: ServerLog) -> None:
    edges = [pb_edge("a", f"ghost-{i}-" + "x" * 100, edge_id=f"e{i}") for i in range(6000)]
    request = pb_request([pb_node("a", "textOutput")], edges)
    request.flow_id = "f" * 5000
    with pytest.raises(grpc.aio.AioRpcError) as info:
        [e async for e in client.execute_flow(request)]
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    [line] = server_log.lines()
    assert "rejected flow ffff" in line and "(and 5997 more)" in line
    assert len(line.encode()) < 1024


def test_tracebacks_stay_multiline_but_cannot_start_a_record(server_log: ServerLog) -> None:
    log = logging.getLogger("flowexec.test")
    try:
        raise ValueError(f"bad value{FORGED}\u202e " + "v" * 5000)
    except ValueError:
        log.exception("node %s raised", f"n{FORGED}")
    lines = server_log.lines()
    assert lines[0].endswith("ERROR flowexec.test: node n\\n2026-01-01 INFO forged raised")
    assert lines[1] == "  Traceback (most recent call last):"
    assert "  ValueError: bad value" in lines and "  2026-01-01 INFO forged\\u202e " + "v" * 100 in lines[-1]
    assert_trustworthy(server_log)
    assert all(len(line.encode()) <= 2048 for line in lines)


async def test_a_huge_flow_id_is_shortened_in_the_log(client: FlowClient, server_log: ServerLog) -> None:
    request = flow_service_pb2.ExecuteFlowRequest(flow_id="F" * 1_000_000, nodes=[pb_node("a", "textOutput")])
    events = [e async for e in client.execute_flow(request)]
    assert events[-1].run_completed.counts.complete == 1
    assert all(len(line.encode()) <= 512 for line in server_log.lines())
    assert f"flow={'F' * 64}… (1000000 chars) planned=1" in server_log.text
