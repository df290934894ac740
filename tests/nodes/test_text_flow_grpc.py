"""End to end through the real gRPC server: the example text flow (examples/text_flow.json)
runs against the fake providers with tokens streaming to the client, and the same flow
dry-runs with no key at all."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.reactflow import request_from_reactflow
from flowexec.v1 import events_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.servers import StartServer

EXAMPLE = json.loads((Path(__file__).parents[2] / "examples" / "text_flow.json").read_text())
LLM_NODES = ("prompt", "enhance", "translate", "story")


def reply_for(request: ReceivedRequest) -> Reply:
    for marker, word in (("Translate", "Lena répare un filet"), ("inject specific", "Lena, silver-haired, mends"),
                         ("storyteller", "The tide keeps her secrets"), ("enhance", "Golden light over Lena")):
        if marker in request.prompt:
            return Reply.text(word, pieces=3, interval=0.01)
    raise AssertionError(request.prompt)


async def test_text_flow_streams_tokens_through_the_server(start_server: StartServer, fake_openai: FakeOpenAI) -> None:
    gate = asyncio.Event()

    def responder(request: ReceivedRequest) -> Reply:
        reply = reply_for(request)
        # Hold the story after its first chunk until the client has seen that chunk.
        return Reply(chunks=reply.chunks, gate=gate) if "storyteller" in request.prompt else reply

    fake_openai.responder = responder
    async with text_services(fake_openai) as services:
        target = await start_server(Engine(builtin_registry(), services))
        events: list[events_pb2.NodeEvent] = []
        async with FlowClient(target) as client, asyncio.timeout(20):
            async for event in client.execute_flow(request_from_reactflow(EXAMPLE)):
                events.append(event)
                if event.HasField("text_delta") and event.text_delta.node_id == "story":
                    gate.set()  # the first story token arrived while the provider was still holding

    assert gate.is_set()
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.error) == (len(EXAMPLE["nodes"]), 0)
    for node_id in LLM_NODES:
        deltas = [e for e in events if e.HasField("text_delta") and e.text_delta.node_id == node_id]
        [output] = [e.seq for e in events if e.HasField("node_output") and e.node_output.node_id == node_id]
        # Three chunks, plus one when a chunk ended in what could begin a key (held back, sent last).
        assert len(deltas) in (3, 4) and all(d.seq < output for d in deltas)
        assert "".join(d.text_delta.chunk for d in deltas) == done.outputs[node_id].text
        assert not done.outputs[node_id].provider_calls  # a live run does not expose them by default
    assert done.outputs["out-prompt"].text == "Lena répare un filet"
    assert done.outputs["out-story"].text == "The tide keeps her secrets"
    assert len(fake_openai.requests) == 4


async def test_text_flow_dry_runs_without_any_key(start_server: StartServer) -> None:
    target = await start_server(Engine(builtin_registry(), Services()))
    async with FlowClient(target) as client:
        events = [e async for e in client.execute_flow(request_from_reactflow(EXAMPLE, dry_run=True))]
    assert events[0].run_started.dry_run
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.error) == (len(EXAMPLE["nodes"]), 0)
    for node_id in LLM_NODES:
        out = done.outputs[node_id]
        [call] = out.provider_calls
        assert out.dry_run and call.messages[0].content == out.text
        assert call.provider_id == "mistral" and call.max_tokens == 2048
    assert done.outputs["story"].provider_calls[0].model == "labs-mistral-small-creative"
    assert done.outputs["story"].provider_calls[0].temperature == 0.95
    translate_call = done.outputs["translate"].provider_calls[0]
    assert translate_call.purpose == "translate" and translate_call.messages[0].content.startswith(
        "Translate the following text to French.")
    assert done.outputs["out-prompt"].text == done.outputs["translate"].text


async def test_client_cancel_aborts_the_provider_request(start_server: StartServer, fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda request: Reply(chunks=("Golden ", "light"), hang_after=1)
    async with text_services(fake_openai) as services:
        target = await start_server(Engine(builtin_registry(), services))
        async with FlowClient(target) as client, asyncio.timeout(20):
            async for event in client.execute_flow(request_from_reactflow(EXAMPLE)):
                if event.HasField("text_delta"):
                    break  # leaving the iteration cancels the call
        await fake_openai.wait_until(lambda: fake_openai.in_flight == 0 and fake_openai.disconnects >= 1)
    assert fake_openai.disconnects == len(fake_openai.requests)
