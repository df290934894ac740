"""Run inputs in, results out, on a real server: start, chat_input, context_history and data_block
read what the request gives; end's inputs become RunCompleted.results."""

from __future__ import annotations

from typing import Any

from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.elements.links import Seen, pb_link, pb_node, request

COMPLETE, ERROR = events_pb2.NODE_STATUS_COMPLETE, events_pb2.NODE_STATUS_ERROR
INVALID = events_pb2.STATUS_REASON_INVALID_INPUT


async def run(client: FlowClient, req: Any) -> Seen:
    return Seen([e async for e in client.execute_flow(req)])


async def test_start_outputs_the_run_inputs_and_end_returns_them_as_results(client: FlowClient) -> None:
    inputs = {"prompt": "Hello", "n": 3, "tags": ["a", "b"], "meta": {"lang": "en"}}
    seen = await run(client, request([pb_node("s", "start"), pb_node("e", "end")], [pb_link("s", "e")], inputs))
    assert seen.results() == inputs
    assert {k: seen.value("s", k) for k in inputs} == inputs


async def test_start_with_a_schema_checks_required_inputs_and_types(client: FlowClient) -> None:
    schema = {"prompt": {"type": "string", "required": True}, "n": {"type": "integer"}}
    nodes = [pb_node("s", "start", input_schema=schema), pb_node("e", "end")]
    missing = await run(client, request(nodes, [pb_link("s", "e")], {"n": 2}))
    assert (missing.status("s"), missing.reason("s")) == (ERROR, INVALID)
    assert missing.final["s"].message == "run input 'prompt' is required but has no value"
    wrong = await run(client, request(nodes, [pb_link("s", "e")], {"prompt": "hi", "n": 2.5}))
    assert wrong.final["s"].message == "run input 'n' must be an integer, not a number"
    ok = await run(client, request(nodes, [pb_link("s", "e")], {"prompt": "hi", "n": 2, "extra": True}))
    assert ok.results() == {"prompt": "hi", "n": 2}  # only the declared names


async def test_end_reports_a_required_input_that_no_edge_delivered(client: FlowClient) -> None:
    end = pb_node("e", "end", input_schema={"answer": {"type": "string", "required": True}, "note": {}})
    seen = await run(client, request([pb_node("d", "data_block", value="x"), end], [pb_link("d", "e", "value", "note")]))
    assert (seen.status("e"), seen.reason("e")) == (ERROR, INVALID)
    assert seen.final["e"].message == "required input 'answer' has no value"
    assert not seen.results()


async def test_chat_input_context_history_and_data_block(client: FlowClient) -> None:
    history = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "one"},
               {"role": "assistant", "content": "two"}, {"role": "user", "content": "three"}]
    nodes = [pb_node("chat", "chat_input"), pb_node("hist", "context_history", max_messages=3),
             pb_node("rules", "data_block", value={"tone": "dry"}), pb_node("e", "end")]
    edges = [pb_link("chat", "e", "message", "message"), pb_link("hist", "e", "history", "history"),
             pb_link("rules", "e", "value", "rules")]
    seen = await run(client, request(nodes, edges, {"message": "What now?", "history": history}))
    assert seen.results() == {
        "message": "What now?",
        "history": [history[0], *history[2:]],  # the system message stays; the oldest turn goes
        "rules": {"tone": "dry"},
    }
    assert seen.value("hist", "dropped") == 1
    assert seen.output["hist"].text == "system: Be brief.\nassistant: two\nuser: three"


async def test_input_nodes_fail_clearly_without_their_input(client: FlowClient) -> None:
    nodes = [pb_node("chat", "chat_input", input_key="question"), pb_node("hist", "context_history")]
    seen = await run(client, request(nodes, [], {"history": [{"role": "robot", "content": "x"}]}))
    assert seen.final["chat"].message == ("no chat message: the run input 'question' is missing or empty and no "
                                          "'message' is set")
    assert seen.final["hist"].message == ("run input 'history'[0].role must be one of system, user, assistant "
                                          "(not 'robot')")
    assert seen.completed.counts.error == 2
