"""llm_text and llm_structured on a real server against the fake vendors: seed 004's example
document (start → llm_text → end) unchanged on fake Bedrock, placeholders, system prompt and
history, streamed deltas, and structured replies per vendor — valid, misfit then valid (the
retry shown as a RUNNING status message), always misfit (ERROR naming the violation)."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.element_flow import request_from_element_flow, results_of
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2
from tests.cli.commands import ROOT
from tests.elements.links import Seen, pb_link, pb_node, request
from tests.fakes.fake_bedrock import FakeBedrock
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import AWS_TEST
from tests.fakes.llm_script import FakeLlmServer, Reply

SEED_DOCUMENT = ROOT / "examples" / "seed004_llm_flow.json"
RUNNING, COMPLETE, ERROR, SKIPPED = (events_pb2.NODE_STATUS_RUNNING, events_pb2.NODE_STATUS_COMPLETE,
                                     events_pb2.NODE_STATUS_ERROR, events_pb2.NODE_STATUS_SKIPPED)
PERSON = {"name": {"type": "string", "required": True}, "age": {"type": "integer", "required": True}}
VENDORS = {"bedrock": "fake_bedrock", "claude": "fake_anthropic", "mistral": "fake_openai"}


@pytest.fixture
def engine(services: Services) -> Engine:
    return Engine(builtin_registry(), services)


async def run(client: FlowClient, req: Any) -> Seen:
    return Seen([e async for e in client.execute_flow(req)])


def deltas(seen: Seen, node_id: str) -> list[str]:
    return [e.text_delta.chunk for e in seen.events if e.HasField("text_delta") and e.text_delta.node_id == node_id]


async def test_seed_example_runs_unchanged_on_bedrock(client: FlowClient, fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply(chunks=("I'm ", "well, ", "thank you!")))
    seen = await run(client, request_from_element_flow(json.loads(SEED_DOCUMENT.read_text())))
    assert (seen.completed.counts.complete, seen.completed.counts.error) == (3, 0)
    assert results_of(seen.completed) == {"text_input": "I'm well, thank you!"}
    assert deltas(seen, "llm-1") == ["I'm ", "well, ", "thank you!"]
    assert seen.value("llm-1", "llm_output") == seen.output["llm-1"].text == "I'm well, thank you!"
    [received] = fake_bedrock.requests
    assert received.path == "/model/anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream"
    assert received.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert received.body == {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1000, "temperature": 0.7,
                             "messages": [{"role": "user",
                                           "content": "Generate a response to: Hello, how are you today?"}]}


async def test_a_placeholder_without_a_value_fails_the_node_naming_it(client: FlowClient,
                                                                      fake_bedrock: FakeBedrock) -> None:
    llm = pb_node("llm", "llm_text", wrapper_prompt="Tell {who} about {topic}")
    end = pb_node("end", "end")
    seen = await run(client, request([pb_node("s", "start"), llm, end],
                                     [pb_link("s", "llm"), pb_link("llm", "end", "llm_output", "answer")],
                                     inputs={"who": "Mara"}))
    assert (seen.status("llm"), seen.reason("llm")) == (ERROR, events_pb2.STATUS_REASON_INVALID_INPUT)
    assert seen.final["llm"].message == "wrapper_prompt placeholder 'topic' has no value: connect an input of that name"
    assert (seen.status("end"), seen.reason("end")) == (SKIPPED, events_pb2.STATUS_REASON_UPSTREAM_FAILED)
    assert fake_bedrock.requests == []


async def test_system_prompt_history_and_parameters_on_the_wire(client: FlowClient, fake_openai: FakeOpenAI) -> None:
    history = [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Hi"},
               {"role": "assistant", "content": "Bonjour"}]
    llm = pb_node("llm", "llm_text", providerId="mistral", model="mistral-small-latest", wrapper_prompt="{question}",
                  system_prompt="You keep a lighthouse.", temperature=0.2, max_tokens=64,
                  output_schema={"reply": {"type": "string"}})
    fake_openai.queue(Reply(chunks=("Le phare ", "veille.")))
    seen = await run(client, request(
        [pb_node("s", "start"), pb_node("h", "context_history"), llm, pb_node("end", "end")],
        [pb_link("s", "llm", "question", "question"), pb_link("h", "llm", "history", "history"),
         pb_link("llm", "end", "reply", "reply")],
        inputs={"question": "What do you do?", "history": history}))
    assert results_of(seen.completed) == {"reply": "Le phare veille."}
    [received] = fake_openai.requests
    assert received.path == "/mistral/v1/chat/completions"
    assert received.body["model"] == "mistral-small-latest"
    assert (received.body["temperature"], received.body["max_tokens"]) == (0.2, 64)
    assert received.body["messages"] == [
        {"role": "system", "content": "You keep a lighthouse.\n\nAnswer in French."},
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Bonjour"},
        {"role": "user", "content": "What do you do?"}]


async def test_settings_that_cannot_work_are_refused_before_the_run(client: FlowClient) -> None:
    req = request([pb_node("a", "llm_text", wrapper_prompt="x {} y"),
                   pb_node("b", "llm_text", output_schema={"one": {}, "two": {}}),
                   pb_node("c", "llm_structured", output_schema={"type": "array"}),
                   pb_node("d", "llm_structured"),
                   pb_node("e", "llm_text", temperature=3)], [])
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in client.execute_flow(req):
            pytest.fail("an event arrived for an invalid flow")
    found = dict(field_violations(info.value))
    assert list(found) == ["nodes[0].data.wrapper_prompt", "nodes[1].data.output_schema",
                           "nodes[2].data.output_schema", "nodes[3].data.output_schema", "nodes[4].data.temperature"]
    assert "has an empty placeholder" in found["nodes[0].data.wrapper_prompt"]
    assert "declares 2 outputs (one, two)" in found["nodes[1].data.output_schema"]
    assert "must describe an object" in found["nodes[2].data.output_schema"]
    assert "is empty" in found["nodes[3].data.output_schema"]


def structured_flow(provider_id: str, options: dict[str, Any] | None = None, **settings: Any) -> Any:
    llm = pb_node("llm", "llm_structured", name="Person card", providerId=provider_id,
                  wrapper_prompt="Who keeps the lighthouse in {place}?", output_schema=PERSON, **settings)
    end = pb_node("end", "end", input_schema={"name": {"type": "string", "required": True},
                                              "age": {"type": "integer"}})
    return request([pb_node("s", "start"), llm, end],
                   [pb_link("s", "llm", "place", "place"), pb_link("llm", "end", "name", "name"),
                    pb_link("llm", "end", "age", "age")], inputs={"place": "Brest"}, **(options or {}))


def progress(seen: Seen, node_id: str) -> list[str]:
    """The messages of the node's RUNNING events (progress reports)."""
    return [e.node_status.message for e in seen.events if e.HasField("node_status")
            and e.node_status.node_id == node_id and e.node_status.status == RUNNING and e.node_status.message]


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_structured_fields_become_named_outputs(request: pytest.FixtureRequest, client: FlowClient,
                                                      provider_id: str) -> None:
    fake: FakeLlmServer = request.getfixturevalue(VENDORS[provider_id])
    fake.queue(Reply.text('{"name": "Mara", "age": 34}'))
    seen = await run(client, structured_flow(provider_id))
    assert results_of(seen.completed) == {"name": "Mara", "age": 34}
    assert json.loads(seen.output["llm"].text) == {"name": "Mara", "age": 34}
    assert progress(seen, "llm") == [] and deltas(seen, "llm") == []
    [received] = fake.requests
    sent = received.output_schema
    assert sent is not None and sorted(sent.pop("required")) == ["age", "name"]  # a Struct keeps no key order
    assert sent == {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                    "additionalProperties": False}
    assert received.forced_tool in (None, "Person_card")


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_a_misfit_then_a_fit_shows_the_retry(request: pytest.FixtureRequest, client: FlowClient,
                                                   provider_id: str) -> None:
    fake: FakeLlmServer = request.getfixturevalue(VENDORS[provider_id])
    fake.queue(Reply.text('{"name": "Mara", "age": "34"}'), Reply.text('{"name": "Mara", "age": 34}'))
    seen = await run(client, structured_flow(provider_id))
    assert results_of(seen.completed) == {"name": "Mara", "age": 34}
    assert progress(seen, "llm") == [
        "reply 1 of 3 did not fit the output schema ($.age: '34' is not of type 'integer'); asking again"]
    assert seen.statuses["llm"] == [events_pb2.NODE_STATUS_PENDING, RUNNING, RUNNING, COMPLETE]
    assert len(fake.requests) == 2 and len(seen.output["llm"].provider_calls) == 0  # live: calls not exposed


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_always_a_misfit_ends_in_error_with_the_violation(request: pytest.FixtureRequest, client: FlowClient,
                                                                provider_id: str) -> None:
    fake: FakeLlmServer = request.getfixturevalue(VENDORS[provider_id])
    fake.queue(*[Reply.text('{"name": "Mara"}')] * 2)
    seen = await run(client, structured_flow(provider_id, max_attempts=2))
    assert (seen.status("llm"), seen.reason("llm")) == (ERROR, events_pb2.STATUS_REASON_PROVIDER_ERROR)
    assert seen.final["llm"].message == ("the reply did not fit the output schema after 2 attempts: "
                                         "$: 'age' is a required property")
    assert not seen.final["llm"].retryable and len(fake.requests) == 2
    assert len(progress(seen, "llm")) == 1
    assert (seen.status("end"), seen.reason("end")) == (SKIPPED, events_pb2.STATUS_REASON_UPSTREAM_FAILED)


async def test_structured_dry_run_sends_nothing_and_stands_in(client: FlowClient, fake_bedrock: FakeBedrock) -> None:
    seen = await run(client, structured_flow("bedrock", {"dry_run": True}))
    assert results_of(seen.completed) == {"name": "[dry run: name]", "age": 0}
    [call] = seen.output["llm"].provider_calls
    assert (call.provider_id, call.purpose) == ("bedrock", "llm_structured")
    assert call.messages[-1].content == "Who keeps the lighthouse in Brest?"
    assert fake_bedrock.requests == []


async def test_text_dry_run_shows_the_prompt(client: FlowClient, fake_bedrock: FakeBedrock) -> None:
    req = request_from_element_flow(json.loads(SEED_DOCUMENT.read_text()), dry_run=True)
    seen = await run(client, req)
    assert results_of(seen.completed) == {"text_input": "Generate a response to: Hello, how are you today?"}
    assert deltas(seen, "llm-1") == ["Generate a response to: Hello, how are you today?"]
    [call] = seen.output["llm-1"].provider_calls
    assert (call.provider_id, call.model, call.temperature, call.max_tokens) == (
        "bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0", pytest.approx(0.7), 1000)
    assert fake_bedrock.requests == []


async def test_a_key_echoed_in_a_misfit_never_reaches_the_client(client: FlowClient, fake_bedrock: FakeBedrock) -> None:
    secret = AWS_TEST["aws_secret_access_key"]
    fake_bedrock.queue(Reply.text(json.dumps({"name": "Mara", "age": secret})), Reply.text('{"name": "M", "age": 1}'))
    seen = await run(client, structured_flow("bedrock"))
    [message] = progress(seen, "llm")
    assert "$.age: '[redacted]' is not of type 'integer'" in message
    assert all(secret not in str(event) for event in seen.events)
