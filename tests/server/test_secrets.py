"""API keys never reach a client, whatever a vendor sends back: not in streamed text (a key
split across chunks included), not in node outputs, not in errors however long the vendor's
message. The real SDKs talk to the fake vendors; events are read through the real server."""

from __future__ import annotations

import asyncio

import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.image_script import ImageReply
from tests.fakes.llm_env import TEST_KEYS
from tests.fakes.llm_script import Reply
from tests.fixtures.servers import StartServer
from tests.images import samples
from tests.statuses import final_statuses

# Pretty-printed vendor text: the key comes after 540 characters of the body but, once
# whitespace is collapsed, 285 characters in, so the 300-character cut falls inside it.
PADDING = "x" * 150 + " " * 250 + "y" * 134


def vendor_text(events: list[events_pb2.NodeEvent]) -> str:
    """Every text in the events that a vendor's reply or error can reach (the provider calls
    beside them hold our own prompts and model names, e.g. "labs-mistral-small")."""
    parts: list[str] = []
    for event in events:
        kind = event.WhichOneof("kind")
        if kind == "text_delta":
            parts.append(event.text_delta.chunk)
        elif kind == "node_status":
            parts.append(event.node_status.message)
        elif kind == "node_output":
            parts.extend(_texts(event.node_output.output))
        elif kind == "run_completed":
            for output in event.run_completed.outputs.values():
                parts.extend(_texts(output))
    return "\n".join(parts)


def _texts(output: graph_pb2.NodeOutput) -> list[str]:
    return [output.text, output.persona_name, output.persona_description, output.replace_prompt,
            output.injected_prompt]


def leaked_pieces(key: str, events: list[events_pb2.NodeEvent]) -> list[str]:
    """Every 8-character piece of `key` that reached the client."""
    seen = vendor_text(events)
    return [key[i:i + 8] for i in range(len(key) - 7) if key[i:i + 8] in seen]


async def run(target: str, request: flow_service_pb2.ExecuteFlowRequest) -> list[events_pb2.NodeEvent]:
    async with FlowClient(target) as client, asyncio.timeout(30):
        return [event async for event in client.execute_flow(request)]


def text_of(events: list[events_pb2.NodeEvent], node_id: str) -> tuple[str, str]:
    """(the node's deltas joined, its output text as run_completed reports it)."""
    deltas = "".join(e.text_delta.chunk for e in events if e.HasField("text_delta") and e.text_delta.node_id == node_id)
    [output] = [e.node_output.output for e in events if e.HasField("node_output") and e.node_output.node_id == node_id]
    assert output.text == events[-1].run_completed.outputs[node_id].text
    return deltas, output.text


async def test_a_key_in_a_streamed_reply_is_redacted_even_split_across_chunks(
        start_server: StartServer, services: Services, fake_openai: FakeOpenAI) -> None:
    key = TEST_KEYS["mistral"]
    fake_openai.queue(Reply(chunks=(f"The keeper whispers {key[:9]}", f"{key[9:]} into the ", "storm.")))
    target = await start_server(Engine(builtin_registry(), services))
    events = await run(target, pb_request([pb_node("s", "storyTeller", idea="a lost key")], []))
    assert leaked_pieces(key, events) == []
    deltas, output = text_of(events, "s")
    assert deltas == output == "The keeper whispers [redacted] into the storm."


async def test_a_key_in_a_vision_reply_is_redacted(start_server: StartServer, services: Services,
                                                   fake_anthropic: FakeAnthropic) -> None:
    key = TEST_KEYS["claude"]
    fake_anthropic.queue(Reply(chunks=("A red square; ", key[:4], key[4:15], f"{key[15:]} is written on it.")))
    target = await start_server(Engine(builtin_registry(), services))
    image = samples.data_url(samples.solid((32, 32)))
    events = await run(target, pb_request([pb_node("d", "imageDescriber", image=image)], []))
    assert leaked_pieces(key, events) == []
    deltas, output = text_of(events, "d")
    assert deltas == output == "A red square; [redacted] is written on it."


@pytest.mark.parametrize("provider_id", ["mistral", "claude"])
async def test_a_key_late_in_a_long_vendor_error_does_not_leak(
        start_server: StartServer, services: Services, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic,
        provider_id: str) -> None:
    key = TEST_KEYS[provider_id]
    fake = fake_anthropic if provider_id == "claude" else fake_openai
    fake.queue(Reply.error(400, f"{PADDING}{key} is not allowed to use this model"))
    target = await start_server(Engine(builtin_registry(), services))
    events = await run(target, pb_request([pb_node("s", "storyTeller", idea="x", providerId=provider_id)], []))
    status = final_statuses(events)["s"]
    assert status.status == events_pb2.NODE_STATUS_ERROR and "HTTP 400" in status.message
    assert leaked_pieces(key, events) == []


@pytest.mark.parametrize("body", [
    # JSON error text, pretty-printed as above.
    None,
    # Not JSON, and longer than the 64 KiB we read of an error body: the cut falls in the key.
    b" " * (64 * 1024 - 8) + TEST_KEYS["huggingface"].encode() + b" rejected",
])
async def test_a_key_in_a_long_image_vendor_error_does_not_leak(
        start_server: StartServer, services: Services, fake_hf: FakeHfImage, body: bytes | None) -> None:
    key = TEST_KEYS["huggingface"]
    reply = ImageReply.error(400, f"{PADDING}{key} may not call this model")
    fake_hf.queue(reply if body is None else ImageReply(status=400, body=body, content_type="text/plain"))
    target = await start_server(Engine(builtin_registry(), services))
    events = await run(target, pb_request([pb_node("g", "imageGenerator", prompt="a lighthouse")], []))
    status = final_statuses(events)["g"]
    assert status.status == events_pb2.NODE_STATUS_ERROR and "HTTP 400" in status.message
    assert leaked_pieces(key, events) == []


