"""Structured output at the provider layer, through the real SDKs against fakes that speak each
vendor's structured-output wire format: OpenAI-compatible `response_format` json_schema (mistral),
Anthropic tool use (claude, and bedrock over the AWS event stream), and the instruction for a
provider without either (glm). Valid first time; invalid then valid (the violation fed back);
always invalid (SchemaMismatch with the last violation)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from execution.errors import InvalidNodeInput
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from execution.providers.output_schema import OutputSchema, SchemaViolation
from execution.providers.structured_call import FailedAttempt, SchemaMismatch, generate_structured
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_bedrock import FakeBedrock
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import fake_settings
from tests.fakes.llm_script import FakeLlmServer, ReceivedRequest, Reply

PERSON = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
          "required": ["name", "age"], "additionalProperties": False}
SCHEMA = OutputSchema(PERSON, name="person")
PROMPT = (ChatMessage("user", "Who keeps the lighthouse?"),)
VALID = '{"name": "Mara", "age": 34}'
INVALID = '{"name": "Mara", "age": "thirty-four"}'
VIOLATION = "$.age: 'thirty-four' is not of type 'integer'"

# provider id → the fixture of the fake that serves it
VENDORS = {"mistral": "fake_openai", "glm": "fake_openai", "claude": "fake_anthropic", "bedrock": "fake_bedrock"}


@pytest.fixture
async def llm(fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic,
              fake_bedrock: FakeBedrock) -> AsyncIterator[LlmProviders]:
    providers = LlmProviders.from_settings(fake_settings(fake_openai, fake_anthropic, fake_bedrock))
    try:
        yield providers
    finally:
        await providers.aclose()


def fake_for(request: pytest.FixtureRequest, provider_id: str) -> FakeLlmServer:
    fake: FakeLlmServer = request.getfixturevalue(VENDORS[provider_id])
    return fake


async def structured(llm: LlmProviders, provider_id: str, *, dry_run: bool = False,
                     schema: OutputSchema = SCHEMA, **kw: Any) -> tuple[Any, list[FailedAttempt]]:
    retries: list[FailedAttempt] = []
    reply = await generate_structured(llm, provider_id, ChatRequest(messages=PROMPT, output_schema=schema),
                                      purpose="structured", dry_run=dry_run, on_retry=retries.append, **kw)
    return reply, retries


def asked_schema(received: ReceivedRequest, provider_id: str) -> dict[str, Any]:
    """How the schema went out, per vendor's wire format."""
    body = received.body
    if provider_id == "mistral":
        assert "tools" not in body
        return dict(body["response_format"])
    if provider_id == "glm":
        assert "response_format" not in body and "tools" not in body
        return {"instruction": body["messages"][-1]["content"]}
    assert "response_format" not in body
    return {"tools": body["tools"], "tool_choice": body["tool_choice"]}


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_valid_first_time(request: pytest.FixtureRequest, llm: LlmProviders, provider_id: str) -> None:
    fake = fake_for(request, provider_id)
    fake.queue(Reply.text(VALID, pieces=4))
    reply, retries = await structured(llm, provider_id)
    assert reply.value == {"name": "Mara", "age": 34} and retries == [] and len(reply.calls) == 1
    [received] = fake.requests
    sent = asked_schema(received, provider_id)
    if provider_id == "mistral":
        assert sent == {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON, "strict": True,
                                                               "description": SCHEMA.description}}
    elif provider_id == "glm":
        assert sent["instruction"].startswith("Who keeps the lighthouse?\n\nAnswer with a single JSON object")
        assert json.dumps(PERSON, sort_keys=True) in sent["instruction"]
    else:
        assert sent == {"tools": [{"name": "person", "description": SCHEMA.description, "input_schema": PERSON}],
                        "tool_choice": {"type": "tool", "name": "person"}}


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_invalid_then_valid_feeds_the_violation_back(request: pytest.FixtureRequest, llm: LlmProviders,
                                                           provider_id: str) -> None:
    fake = fake_for(request, provider_id)
    fake.queue(Reply.text(INVALID), Reply.text(VALID))
    reply, retries = await structured(llm, provider_id)
    assert reply.value == {"name": "Mara", "age": 34} and len(reply.calls) == 2
    assert retries == [FailedAttempt(1, 3, VIOLATION)]
    first, second = fake.requests
    assert asked_schema(first, provider_id) == asked_schema(second, provider_id) or provider_id == "glm"
    messages = second.body["messages"]
    assert messages[1] == {"role": "assistant", "content": INVALID}
    assert messages[2]["role"] == "user" and VIOLATION in messages[2]["content"]
    assert [m.role for m in reply.calls[1].messages] == ["user", "assistant", "user"]


@pytest.mark.parametrize("provider_id", list(VENDORS))
async def test_always_invalid_ends_with_the_last_violation(request: pytest.FixtureRequest, llm: LlmProviders,
                                                           provider_id: str) -> None:
    fake = fake_for(request, provider_id)
    fake.queue(Reply.text('{"name": "Mara"}'), Reply.text('{"name": 7, "age": 1}'), Reply.text(INVALID))
    with pytest.raises(SchemaMismatch) as info:
        await structured(llm, provider_id)
    assert info.value.message == f"the reply did not fit the output schema after 3 attempts: {VIOLATION}"
    assert not info.value.retryable and len(fake.requests) == 3


async def test_the_bound_is_the_callers(fake_openai: FakeOpenAI, llm: LlmProviders) -> None:
    fake_openai.queue(Reply.text(INVALID))
    with pytest.raises(SchemaMismatch, match="after 1 attempt: "):
        await structured(llm, "mistral", max_attempts=1)
    assert len(fake_openai.requests) == 1


async def test_transport_retries_are_not_schema_attempts(fake_anthropic: FakeAnthropic, llm: LlmProviders) -> None:
    fake_anthropic.queue(Reply.error(529, "Overloaded"), Reply.text(VALID))
    reply, retries = await structured(llm, "claude")
    assert reply.value == {"name": "Mara", "age": 34} and retries == [] and len(fake_anthropic.requests) == 2


async def test_a_schema_strict_mode_refuses_goes_without_strict(fake_openai: FakeOpenAI, llm: LlmProviders) -> None:
    """Strict mode needs every object closed with all fields required; otherwise strict is off
    (the fake, like the API, answers 400 to such a schema sent strict)."""
    loose = OutputSchema({"type": "object", "properties": {"name": {"type": "string"}, "nick": {"type": "string"}},
                          "required": ["name"]})
    fake_openai.queue(Reply.text('{"name": "Mara"}'))
    reply, _ = await structured(llm, "mistral", schema=loose)
    assert reply.value == {"name": "Mara"}
    assert fake_openai.requests[0].body["response_format"]["json_schema"]["strict"] is False


async def test_instructed_reply_in_a_code_fence_is_read(fake_openai: FakeOpenAI, llm: LlmProviders) -> None:
    fake_openai.queue(Reply.text(f"Here you are:\n```json\n{VALID}\n```"))
    reply, _ = await structured(llm, "glm")
    assert reply.value == {"name": "Mara", "age": 34}


async def test_dry_run_shows_the_prompt_and_sends_nothing(fake_openai: FakeOpenAI, llm: LlmProviders) -> None:
    reply, _ = await structured(llm, "glm", dry_run=True)
    assert reply.value is None and len(reply.calls) == 1 and fake_openai.requests == []
    assert "Answer with a single JSON object" in reply.text and "Who keeps the lighthouse?" in reply.text


@pytest.mark.parametrize(("schema", "problem"), [
    ({"type": "array", "items": {"type": "string"}}, "must describe an object"),
    ({"type": "object", "properties": {"a": {"type": "strnig"}}}, "not a valid JSON Schema at ['properties']['a']"),
    ({"type": "object", "required": "name"}, "not a valid JSON Schema at ['required']"),
    (["not", "a", "schema"], "must be a JSON object"),
])
def test_bad_schemas_are_refused_before_any_call(schema: Any, problem: str) -> None:
    with pytest.raises(InvalidNodeInput, match=problem.replace("[", r"\[").replace("]", r"\]")):
        OutputSchema(schema)


def test_bad_names_are_refused() -> None:
    with pytest.raises(InvalidNodeInput, match="name 'a b'"):
        OutputSchema(PERSON, name="a b")


@pytest.mark.parametrize(("text", "violation"), [
    ("not json at all", "$: the reply is not JSON"),
    ("[1, 2]", "$: the reply is a JSON list, not an object"),
    ('{"name": "Mara"}', "$: 'age' is a required property"),
    ('{"name": "Mara", "age": -1}', "$.age: -1 is less than the minimum of 0"),
    ('{"name": "Mara", "age": 3, "x": 1}', "$: Additional properties are not allowed ('x' was unexpected)"),
])
def test_violations_say_where(text: str, violation: str) -> None:
    with pytest.raises(SchemaViolation) as info:
        SCHEMA.read_reply(text)
    assert str(info.value).startswith(violation)


@pytest.mark.parametrize(("schema", "strict"), [
    (PERSON, True),
    ({**PERSON, "additionalProperties": True}, False),
    ({**PERSON, "required": ["name"]}, False),
    ({"type": "object", "additionalProperties": False, "required": ["p"], "properties": {
        "p": {"type": "array", "items": {"type": "object", "properties": {"q": {"type": "string"}}}}}}, False),
    ({"type": "object", "additionalProperties": False, "required": ["p"], "properties": {
        "p": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/d"}]}},
      "$defs": {"d": {"type": "object", "properties": {}, "additionalProperties": False}}}, True),
])
def test_strict_compatibility(schema: dict[str, Any], strict: bool) -> None:
    assert OutputSchema(schema).strict_compatible is strict
