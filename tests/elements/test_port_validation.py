"""Handles that name no port, and element settings that cannot be wired: INVALID_ARGUMENT before
any event, every culprit named by its field path — over a real server."""

from __future__ import annotations

import grpc
import pytest

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from tests.elements.links import pb_link, pb_node, request

CASE = pb_node("c", "case", cases=[{"output": "yes", "operator": "equals", "value": 1}], default_output="no")
END = pb_node("end", "end", input_schema={"answer": {"type": "string", "required": True}})


async def violations(client: FlowClient, req: object) -> list[tuple[str, str]]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in client.execute_flow(req):  # type: ignore[arg-type]
            pytest.fail("an event arrived for an invalid flow")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    return field_violations(info.value)


async def test_unknown_source_and_target_handles_are_named_with_the_ports_there_are(client: FlowClient) -> None:
    # Listed against the flow's direction: the violations still come in request order.
    req = request([END, pb_node("sel", "selector"), CASE, pb_node("s", "start")],
                  [pb_link("sel", "end", "value", "answr"), pb_link("c", "sel", "maybe"), pb_link("s", "c", "", "value")])
    assert await violations(client, req) == [
        ("edges[0].target_handle",
         "edge 'sel.value->end.answr' target handle 'answr' is not an input of node 'end' (end); its inputs: answer"),
        ("edges[1].source_handle",
         "edge 'c.maybe->sel.' source handle 'maybe' is not an output of node 'c' (case); its outputs: yes, no"),
    ]


async def test_a_named_output_into_a_node_with_several_inputs_must_name_its_input(client: FlowClient) -> None:
    req = request([pb_node("d", "random", seed=1), pb_node("f", "flow_select", outputs=["publish"])],
                  [pb_link("d", "f", "seed")])
    [(field, description)] = await violations(client, req)
    assert field == "edges[0].target_handle"
    assert "carries output 'seed' of node 'd'" in description and "its inputs: key, value" in description


async def test_element_settings_that_cannot_be_wired_are_violations(client: FlowClient) -> None:
    bad_case = pb_node("c", "case", cases=[{"output": "x", "operator": "resembles", "value": 1}])
    bad_regex = pb_node("r", "case", cases=[{"output": "x", "operator": "regex", "value": "(?<=a)b"}])
    no_routes = pb_node("f", "flow_select", outputs=[])
    req = request([pb_node("ok", "data_block", value=1), bad_case, bad_regex, no_routes],
                  [pb_link("f", "r"), pb_link("r", "c")])  # wired against the request's order
    found = dict(await violations(client, req))
    assert list(found) == ["nodes[1].data.cases[0].operator", "nodes[2].data.cases[0]", "nodes[3].data.outputs"]
    assert "must be one of equals, not_equals" in found["nodes[1].data.cases[0].operator"]
    assert "is not a valid RE2 pattern" in found["nodes[2].data.cases[0]"]


async def test_editor_node_handles_stay_unchecked(client: FlowClient) -> None:
    # The editor's own node types keep their informational handles: nothing to reject.
    req = request([pb_node("a", "diag.delay", text="A"), pb_node("o", "textOutput")],
                  [pb_link("a", "o", "whatever", "text")])
    events = [e async for e in client.execute_flow(req)]
    assert events[-1].run_completed.outputs["o"].text == "A"


async def test_negative_time_limit_is_invalid(client: FlowClient) -> None:
    req = request([pb_node("d", "data_block", value=1)], [], max_execution_ms=-5)
    assert await violations(client, req) == [("options.max_execution_ms", "must not be negative (got -5)")]


async def test_non_finite_run_input_is_invalid(client: FlowClient) -> None:
    req = request([pb_node("s", "start")], [], {"ok": 1})
    req.initial_inputs.fields["deep"].struct_value.update({"n": float("nan")})
    assert await violations(client, req) == [("initial_inputs.deep.n", "run input has a non-finite number (NaN)")]
