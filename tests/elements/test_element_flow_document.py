"""Seed 004's flow documents: the client's converter, and such a document run unchanged on a real
server (start → selector → end: the elements here; an LLM step slots in the same way)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import json_format

from flowexec.client import FlowClient
from flowexec.element_flow import is_element_flow, request_from_element_flow, results_of
from tests.cli.commands import ROOT


def seed_document() -> dict[str, Any]:
    """The seed's request example, its llm step replaced by a selector."""
    return {
        "flow_id": "flow-123",
        "flow_definition": {
            "flow_id": "flow-123",
            "elements": {
                "start-1": {"type": "start", "element_id": "start-1", "name": "Start Block",
                            "description": "Start of the flow", "input_schema": {}, "output_schema": {}},
                "pick-1": {"type": "selector", "element_id": "pick-1", "name": "Prompt picker", "path": "prompt",
                           "input": "inputs", "input_schema": {"inputs": {"type": "object"}}},
                "end-1": {"type": "end", "element_id": "end-1", "name": "End Block", "description": "End of the flow",
                          "input_schema": {"text_input": {"type": "string", "required": True}},
                          "output_schema": {"text_output": {"type": "string", "required": True}}},
            },
            "connections": [
                {"from_id": "start-1", "to_id": "pick-1", "to_input": "inputs"},
                {"from_id": "pick-1", "to_id": "end-1", "from_output": "value", "to_input": "text_input"},
            ],
            "start_element_id": "start-1",
        },
        "initial_inputs": {"prompt": "Hello, how are you today?", "lang": "en"},
        "backend2_ws_url": "ws://backend2:8001/ws/flow-123",
        "config": {"max_execution_time": 300},
    }


def test_converter_maps_elements_connections_inputs_and_time_limit() -> None:
    doc = seed_document()
    assert is_element_flow(doc) and is_element_flow(doc["flow_definition"]) and not is_element_flow({"nodes": []})
    req = request_from_element_flow(doc)
    assert req.flow_id == "flow-123" and req.options.max_execution_ms == 300_000
    assert [(n.id, n.type) for n in req.nodes] == [("start-1", "start"), ("pick-1", "selector"), ("end-1", "end")]
    pick = json_format.MessageToDict(req.nodes[1].data)
    assert pick["path"] == "prompt" and pick["name"] == "Prompt picker" and "type" not in pick
    assert [(e.source, e.target, e.source_handle, e.target_handle) for e in req.edges] == [
        ("start-1", "pick-1", "", "inputs"), ("pick-1", "end-1", "value", "text_input")]
    assert json_format.MessageToDict(req.initial_inputs) == doc["initial_inputs"]
    # Inputs and a time limit given by the caller win over the document's.
    req = request_from_element_flow(doc["flow_definition"], initial_inputs={"prompt": "Hi"}, max_execution_ms=5)
    assert json_format.MessageToDict(req.initial_inputs) == {"prompt": "Hi"} and req.options.max_execution_ms == 5


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["flow_definition"].update(start_element_id="nope"), "start_element_id 'nope' is not an element"),
    (lambda d: d["flow_definition"].update(elements="x"), "elements must be an object"),
    (lambda d: d["flow_definition"].update(connections=[1]), r"connections\[0\] must be an object"),
    (lambda d: d.update(config={"max_execution_time": -1}), "config.max_execution_time must be a number"),
    (lambda d: d.update(initial_inputs=[1]), "initial_inputs must be an object"),
])
def test_converter_names_what_is_malformed(change: Any, message: str) -> None:
    doc = seed_document()
    change(doc)
    with pytest.raises(ValueError, match=message):
        request_from_element_flow(doc)


async def test_seed_document_runs_unchanged(client: FlowClient) -> None:
    events = [e async for e in client.execute_flow(request_from_element_flow(seed_document()))]
    completed = events[-1].run_completed
    assert (completed.counts.complete, completed.counts.error) == (3, 0)
    assert results_of(completed) == {"text_input": "Hello, how are you today?"}


async def test_the_shipped_example_document_runs(client: FlowClient) -> None:
    doc = json.loads((ROOT / "examples" / "element_flow.json").read_text())
    question = [e async for e in client.execute_flow(request_from_element_flow(doc))]
    assert results_of(question[-1].run_completed) == {"text_input": "You asked a question.",
                                                      "prompt": "Hello, how are you today?"}
    statement = request_from_element_flow(doc, initial_inputs={"prompt": "Calm sea."})
    events = [e async for e in client.execute_flow(statement)]
    assert results_of(events[-1].run_completed)["text_input"] == "You made a statement."
