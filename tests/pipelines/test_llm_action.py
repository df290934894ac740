"""llm_action (seed 003): a config of the pipeline library run by `action_id` through a real
server — the same machinery as `pipeline` (the same prompt reaches the provider, the same steps
reach the client) — with named inputs filling custom placeholders."""

from __future__ import annotations

from execution.prompts.instruction_types import INSTRUCTION_TYPES
from execution.services import Services
from flowexec.v1 import events_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.elements.links import pb_link
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.llm_script import Reply
from tests.fixtures.servers import StartServer
from tests.pipelines.conftest import final_status, run_served, steps
from tests.pipelines.test_pipeline_runs import DADAISM, SCENE, TRANSFORMED


async def test_an_action_id_runs_that_config_as_the_pipeline_node_does(start_server: StartServer,
                                                                       mode_services: Services,
                                                                       ollama: FakeOllama) -> None:
    ollama.responder = lambda request: Reply.text(TRANSFORMED, pieces=3)
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("scene", "initialPrompt", text=SCENE), pb_node("step", "llm_action", action_id="dadaism"),
         pb_node("out", "textOutput")],
        [pb_edge("scene", "step"), pb_edge("step", "out")]))

    [received] = ollama.requests
    assert received.prompt == (f"Task:\n{INSTRUCTION_TYPES['artistic_transformation'].text}\n\n"
                               f"Context:\n{DADAISM['context']}\n\nPrompt:\n{SCENE}")
    assert steps(events, "step") == [(0, "manipulate", "STARTED", ""), (0, "manipulate", "COMPLETED", TRANSFORMED)]
    assert events[-1].run_completed.outputs["out"].text == TRANSFORMED


async def test_a_named_input_fills_the_custom_placeholder_of_its_name(start_server: StartServer,
                                                                      mode_services: Services,
                                                                      ollama: FakeOllama) -> None:
    ollama.responder = lambda request: Reply.text("Ausgeschnittene Buchstaben" if request.prompt.startswith("Translate")
                                                  else TRANSFORMED)
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("scene", "initialPrompt", text=SCENE), pb_node("lang", "initialPrompt", text="German"),
         pb_node("step", "llm_action", actionId="dadaism_french")],
        [pb_link("scene", "step"), pb_link("lang", "step", "", "TARGET_LANGUAGE")]))

    first, second = ollama.requests
    # The edge naming no input brings the text; the language is a placeholder's, not more text.
    assert first.prompt.endswith(f"Prompt:\n{SCENE}")
    # The input TARGET_LANGUAGE over the config's own mapping (French).
    assert second.prompt.startswith("Translate the following text into German.")
    assert events[-1].run_completed.outputs["step"].text == "Ausgeschnittene Buchstaben"


async def test_a_numeric_action_id_names_the_config_by_its_digits(start_server: StartServer,
                                                                  mode_services: Services,
                                                                  ollama: FakeOllama) -> None:
    events = await run_served(start_server, mode_services, pb_request(
        [pb_node("step", "llm_action", action_id=5, text=SCENE)], []))
    status = final_status(events, "step")
    assert (status.status, status.reason) == (events_pb2.NODE_STATUS_ERROR, events_pb2.STATUS_REASON_INVALID_INPUT)
    assert "'config' unknown config '5'" in status.message and "dadaism" in status.message
    assert not ollama.requests
