"""The custom_code element on named ports, in a seed-004 flow document run by the real server:
named inputs in (its input_schema checked), each returned key a named output (its output_schema
checked), the results at the end element; settings that cannot run are refused before the run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.sandbox import CodeSandbox
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.element_flow import request_from_element_flow
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2
from tests.elements.links import Seen
from tests.fixtures.servers import StartServer
from tests.sandbox.conftest import sandbox_settings

STATS = """
def main(inputs):
    numbers = inputs["numbers"]
    return {"total": sum(numbers), "count": len(numbers), "label": inputs["label"].title()}
"""


def document(code: str, output_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "flow_id": "stats",
        "flow_definition": {
            "elements": {
                "start-1": {"type": "start", "output_schema": {"numbers": {"type": "array", "required": True},
                                                               "label": {"type": "string", "required": True}}},
                "code-1": {"type": "custom_code", "name": "Stats", "code": code,
                           "input_schema": {"numbers": {"type": "array", "required": True},
                                            "label": {"type": "string"}},
                           "output_schema": output_schema or {}},
                "end-1": {"type": "end", "input_schema": {"sum": {"type": "number", "required": True},
                                                          "title": {"type": "string"}}},
            },
            "connections": [
                {"from_id": "start-1", "to_id": "code-1"},
                {"from_id": "code-1", "to_id": "end-1", "from_output": "total", "to_input": "sum"},
                {"from_id": "code-1", "to_id": "end-1", "from_output": "label", "to_input": "title"},
            ],
            "start_element_id": "start-1",
        },
        "initial_inputs": {"numbers": [1, 2, 3.5], "label": "monthly report"},
    }


@pytest.fixture
async def client(start_server: StartServer) -> AsyncIterator[FlowClient]:
    box = CodeSandbox(sandbox_settings(warm_workers=1))
    try:
        async with FlowClient(await start_server(Engine(builtin_registry(), Services(sandbox=box)))) as flow_client:
            yield flow_client
    finally:
        await box.aclose()


async def run(client: FlowClient, doc: dict[str, Any]) -> Seen:
    return Seen([e async for e in client.execute_flow(request_from_element_flow(doc))])


async def test_named_inputs_in_named_outputs_out(client: FlowClient) -> None:
    seen = await run(client, document(STATS))
    assert seen.status("code-1") == events_pb2.NODE_STATUS_COMPLETE
    assert {k: seen.value("code-1", k) for k in ("total", "count", "label")} == {
        "total": 6.5, "count": 3, "label": "Monthly Report"}
    assert seen.results() == {"sum": 6.5, "title": "Monthly Report"}


async def test_an_output_missing_from_its_schema_fails_the_node(client: FlowClient) -> None:
    seen = await run(client, document(STATS, {"total": {"type": "number", "required": True}, "label": {},
                                              "mean": {"type": "number", "required": True}}))
    assert (seen.status("code-1"), seen.reason("code-1")) == (events_pb2.NODE_STATUS_ERROR,
                                                              events_pb2.STATUS_REASON_INVALID_INPUT)
    assert seen.final["code-1"].message == "main's output 'mean' is required but has no value"


async def test_code_that_cannot_run_is_refused_before_the_run(client: FlowClient) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await run(client, document("   "))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    [(field, description)] = field_violations(caught.value)
    assert field == "nodes[1].data.code"
    assert description == ("node 'code-1' (custom_code): 'code' must be Python source defining main(inputs), "
                           "at most 262,144 characters")


async def test_the_example_document_runs_unchanged(client: FlowClient) -> None:
    example = json.loads((Path(__file__).parents[2] / "examples" / "custom_code_flow.json").read_text())
    seen = await run(client, example)
    assert seen.results() == {"net": 40.0, "total": 48.0}
