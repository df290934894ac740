"""eco and fast through a real server: the same chunk goes to the local Ollama fake in eco and to
the OpenRouter fake in fast; a node's own mode wins over the request's; `task:NAME` works in any
LLM node's model field; an always-local task (vision) stays on Ollama in fast mode."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execution.graph.model import RunOptions
from execution.model_tasks.mode import ExecutionMode
from execution.services import Services
from flowexec.v1 import events_pb2, flow_service_pb2
from server.run_codec import ProtobufRunCodec
from tests.builders import flow, node, pb_edge, pb_node, pb_request
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.fixtures.servers import StartServer
from tests.images import samples
from tests.pipelines.conftest import OPENROUTER_KEY, final_status, refused_by_server, run_served

SCENE = "A lighthouse keeper feeds the gulls"
ECO, FAST = flow_service_pb2.EXECUTION_MODE_ECO, flow_service_pb2.EXECUTION_MODE_FAST


def with_mode(request: flow_service_pb2.ExecuteFlowRequest, mode: int) -> flow_service_pb2.ExecuteFlowRequest:
    request.options.execution_mode = mode
    return request


async def test_eco_and_fast_send_the_same_chunk_to_ollama_and_to_openrouter(
        start_server: StartServer, mode_services: Services, ollama: FakeOllama, openrouter: FakeOpenAI) -> None:
    flow = pb_request([pb_node("dada", "pipeline", config="dadaism", text=SCENE)], [])
    eco = await run_served(start_server, mode_services, with_mode(flow, ECO))
    fast = await run_served(start_server, mode_services, with_mode(flow, FAST))

    [local] = ollama.requests
    [cloud] = openrouter.requests
    assert (local.path, local.model) == ("/v1/chat/completions", "mistral-nemo")
    assert (cloud.path, cloud.model) == ("/api/v1/chat/completions", "mistralai/mistral-nemo")
    assert local.messages == cloud.messages  # the same chunk, built the same way
    assert cloud.headers["Authorization"] == f"Bearer {OPENROUTER_KEY}"
    assert OPENROUTER_KEY not in local.headers.get("Authorization", "")  # no cloud key goes to the local server
    assert eco[-1].run_completed.outputs["dada"].text == "[mistral-nemo] reply"
    assert fast[-1].run_completed.outputs["dada"].text == "[mistralai/mistral-nemo] reply"


async def test_the_nodes_own_mode_wins_over_the_requests(start_server: StartServer, mode_services: Services,
                                                         ollama: FakeOllama, openrouter: FakeOpenAI) -> None:
    await run_served(start_server, mode_services, with_mode(pb_request(
        [pb_node("dada", "pipeline", config="dadaism", text=SCENE, executionMode="eco")], []), FAST))
    assert [r.model for r in ollama.requests] == ["mistral-nemo"] and not openrouter.requests


@pytest.mark.parametrize(("mode", "fake", "model"), [(ECO, "ollama", "qwen2.5-translator"),
                                                      (FAST, "openrouter", "anthropic/claude-3.5-haiku")])
async def test_a_task_in_any_llm_nodes_model_field(start_server: StartServer, mode_services: Services,
                                                   ollama: FakeOllama, openrouter: FakeOpenAI,
                                                   mode: int, fake: str, model: str) -> None:
    # The translator names a provider too: a task picks its own.
    events = await run_served(start_server, mode_services, with_mode(pb_request(
        [pb_node("t", "translator", language="fr", providerId="mistral", model="task:translation"),
         pb_node("src", "initialPrompt", text=SCENE)],
        [pb_edge("src", "t")]),
        mode))
    assert final_status(events, "t").status == events_pb2.NODE_STATUS_COMPLETE
    [received] = (ollama if fake == "ollama" else openrouter).requests
    assert received.model == model and "Translate the following text to French" in received.prompt
    assert not (openrouter if fake == "ollama" else ollama).requests


async def test_a_vision_task_stays_local_in_fast_mode(start_server: StartServer, mode_services: Services,
                                                      ollama: FakeOllama, openrouter: FakeOpenAI) -> None:
    photo = samples.solid((64, 48))
    events = await run_served(start_server, mode_services, with_mode(pb_request(
        [pb_node("d", "imageDescriber", model="task:vision", image=samples.b64(photo))], []), FAST))
    assert final_status(events, "d").status == events_pb2.NODE_STATUS_COMPLETE
    assert not openrouter.requests
    [received] = ollama.requests
    assert received.model == "llava:13b"
    [message] = received.messages
    assert any(part.get("type") == "image_url" for part in message["content"])  # the image went to Ollama only


async def test_an_unknown_task_refuses_the_request_naming_the_model_setting(
        start_server: StartServer, mode_services: Services, ollama: FakeOllama, openrouter: FakeOpenAI) -> None:
    [(field, description)] = await refused_by_server(start_server, mode_services, pb_request(
        [pb_node("p", "initialPrompt", text=SCENE, model="task:poetry")], []))
    assert field == "nodes[0].data.model"
    assert description.startswith("node 'p' (initialPrompt): 'model' unknown task 'poetry'") and "translation" in description
    assert not ollama.requests and not openrouter.requests


async def test_a_bad_execution_mode_refuses_the_request_naming_it(start_server: StartServer, mode_services: Services,
                                                                  ollama: FakeOllama) -> None:
    assert await refused_by_server(start_server, mode_services, pb_request(
        [pb_node("p", "pipeline", config="dadaism", text=SCENE, executionMode="turbo")], [])) == [
        ("nodes[0].data.executionMode", "node 'p' (pipeline): 'executionMode' must be one of eco, fast, not 'turbo'")]
    assert not ollama.requests


@pytest.mark.parametrize("mode", [None, ExecutionMode.ECO, ExecutionMode.FAST])
def test_a_stored_request_keeps_its_mode_for_resume(mode: ExecutionMode | None) -> None:
    codec = ProtobufRunCodec()
    request = replace(flow([node("p", "pipeline", config="dadaism")], []), options=RunOptions(execution_mode=mode))
    assert codec.decode_request(codec.encode_request(request)).options.execution_mode is mode
