"""Seed 002 configs run as `pipeline` nodes through a real server, against fakes of the two
backends: the Dadaism config end to end (the prompt the provider receives has the 3-part
structure), each chunk visible to the client as NodeStep events, chunk N+1 reading chunk N's
output, and the node's failures (unknown config, nothing to transform)."""

from __future__ import annotations

import json

from execution.events import NodeStatus, NodeStep, StepState
from execution.pipelines.library import EXAMPLES_DIR
from execution.prompts.instruction_types import INSTRUCTION_TYPES
from execution.run_limits import Limits
from execution.services import Services
from flowexec.v1 import events_pb2
from tests.builders import node, pb_edge, pb_node, pb_request
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.servers import StartServer
from tests.pipelines.conftest import OPENROUTER_KEY, deltas, final_status, run_served, steps
from tests.run_flow import run_flow

DADAISM = json.loads((EXAMPLES_DIR / "configs" / "dadaism.json").read_text())
SCENE = "A woman reads a newspaper in a café"
TRANSFORMED = "Cut-out letters of a newspaper collide with a coffee cup: a collage of nonsense"


async def test_dadaism_end_to_end_sends_the_three_part_prompt(start_server: StartServer, mode_services: Services,
                                                              ollama: FakeOllama, openrouter: FakeOpenAI) -> None:
    ollama.responder = lambda request: Reply.text(TRANSFORMED, pieces=4)
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("scene", "initialPrompt", text=SCENE), pb_node("dada", "pipeline", config="dadaism"),
         pb_node("out", "textOutput")],
        [pb_edge("scene", "dada"), pb_edge("dada", "out")], provider_id="mistral"))

    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.error) == (3, 0)
    [received] = ollama.requests  # eco, the server's default: the local model, nothing to the cloud
    assert not openrouter.requests
    assert received.path == "/v1/chat/completions" and received.model == "mistral-nemo"  # task:standard, eco
    assert received.prompt == (f"Task:\n{INSTRUCTION_TYPES['artistic_transformation'].text}\n\n"
                               f"Context:\n{DADAISM['context']}\n\nPrompt:\n{SCENE}")
    assert received.messages == [{"role": "user", "content": received.prompt}]
    assert received.body["temperature"] == 0.9  # the config's, over the chunk's 0.7
    assert received.body["max_tokens"] == 2048
    assert steps(events, "dada") == [(0, "manipulate", "STARTED", ""), (0, "manipulate", "COMPLETED", TRANSFORMED)]
    assert deltas(events, "dada") == TRANSFORMED == done.outputs["dada"].text
    assert done.outputs["out"].text == TRANSFORMED


async def test_each_chunk_receives_the_previous_chunks_output(start_server: StartServer, mode_services: Services,
                                                              ollama: FakeOllama) -> None:
    def reply(request: ReceivedRequest) -> Reply:
        if request.prompt.startswith("Translate"):
            return Reply.text("Des lettres découpées d'un journal", pieces=3)
        return Reply.text(TRANSFORMED, pieces=3)

    ollama.responder = reply
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("dada", "pipeline", config="dadaism_french", text=SCENE)], []))

    first, second = ollama.requests
    assert first.prompt.startswith("Task:\n") and first.prompt.endswith(f"Prompt:\n{SCENE}")
    assert second.model == "qwen2.5-translator"  # task:translation, eco
    # {{TARGET_LANGUAGE}} from the config's meta (the pipeline's config mapping), then chunk 1's output.
    assert second.prompt == ("Translate the following text into French. Output ONLY the translation, nothing else."
                             f"\n\n{TRANSFORMED}")
    assert steps(events, "dada") == [
        (0, "manipulate", "STARTED", ""), (0, "manipulate", "COMPLETED", TRANSFORMED),
        (1, "translate", "STARTED", ""), (1, "translate", "COMPLETED", "Des lettres découpées d'un journal")]
    assert all(e.node_step.count == 2 for e in events if e.HasField("node_step"))
    # Only the last chunk streams: the node's deltas are exactly its output.
    assert deltas(events, "dada") == "Des lettres découpées d'un journal" == events[-1].run_completed.outputs["dada"].text


async def test_steps_come_in_order_with_the_node_running(start_server: StartServer, mode_services: Services,
                                                         ollama: FakeOllama) -> None:
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("dada", "pipeline", config="dadaism_french", text=SCENE)], []))
    kinds = [e.WhichOneof("kind") for e in events if e.WhichOneof("kind") != "node_status"
             or e.node_status.status != events_pb2.NODE_STATUS_PENDING]
    running = kinds.index("node_status")
    output = kinds.index("node_output")
    assert running < min(i for i, k in enumerate(kinds) if k == "node_step")
    assert max(i for i, k in enumerate(kinds) if k == "node_step") < output


async def test_an_unknown_config_fails_the_node_naming_the_setting(start_server: StartServer,
                                                                   mode_services: Services, ollama: FakeOllama) -> None:
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("p", "pipeline", config="surrealism", text=SCENE), pb_node("out", "textOutput")],
        [pb_edge("p", "out")]))
    status = final_status(events, "p")
    assert status.status == events_pb2.NODE_STATUS_ERROR
    assert status.reason == events_pb2.STATUS_REASON_INVALID_INPUT
    assert "'config' unknown config 'surrealism'" in status.message and "dadaism" in status.message
    assert final_status(events, "out").status == events_pb2.NODE_STATUS_SKIPPED
    assert not ollama.requests


async def test_nothing_to_transform_is_an_error_before_any_call(start_server: StartServer, mode_services: Services,
                                                                ollama: FakeOllama) -> None:
    events = await run_served(start_server, mode_services, pb_request([pb_node("p", "pipeline", config="dadaism")], []))
    status = final_status(events, "p")
    assert status.status == events_pb2.NODE_STATUS_ERROR and "Nothing to transform" in status.message
    assert not ollama.requests


async def test_a_dry_run_shows_every_chunks_call_and_sends_nothing(start_server: StartServer,
                                                                   mode_services: Services, ollama: FakeOllama,
                                                                   openrouter: FakeOpenAI) -> None:
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("dada", "pipeline", config="dadaism_french", text=SCENE, executionMode="fast")], [], dry_run=True))
    assert not ollama.requests and not openrouter.requests
    out = events[-1].run_completed.outputs["dada"]
    first, second = out.provider_calls
    assert (first.purpose, first.provider_id, first.model) == ("manipulate", "openrouter", "mistralai/mistral-nemo")
    assert (second.purpose, second.provider_id, second.model) == ("translate", "openrouter",
                                                                   "anthropic/claude-3.5-haiku")
    assert second.messages[0].content.endswith(first.messages[0].content)  # chunk 1's result is its prompt
    assert out.dry_run and out.text == second.messages[0].content


async def test_a_steps_text_is_masked_and_counted(mode_services: Services, ollama: FakeOllama) -> None:
    """An intermediate chunk's text reaches the client only in its step event: a key the vendor
    echoes there is masked, and the text counts toward the node's text limit."""
    def reply(request: ReceivedRequest) -> Reply:
        if request.prompt.startswith("Translate"):
            return Reply.text("Des lettres")
        return Reply.text(f"collage {OPENROUTER_KEY} collage")

    ollama.responder = reply
    run = await run_flow(mode_services, [node("dada", "pipeline", config="dadaism_french", text=SCENE)], [])
    first = next(e.body for e in run.events if isinstance(e.body, NodeStep) and e.body.state is StepState.COMPLETED)
    assert OPENROUTER_KEY not in first.text and first.text.startswith("collage ")
    assert run.status("dada") is NodeStatus.COMPLETE

    small = Limits(max_node_text_bytes=len(f"collage {OPENROUTER_KEY} collage") + 5)
    run = await run_flow(mode_services, [node("dada", "pipeline", config="dadaism_french", text=SCENE)], [],
                         limits=small)
    assert run.status("dada") is NodeStatus.ERROR
    assert "the text this node streamed passed the limit" in run.final("dada").message
