"""Placeholders in a chunk: a placeholder with no value fails the node before any call, naming
it and its chunk; the node's own placeholders fill custom ones; values are inserted verbatim
(braces in user text are not placeholders); a custom placeholder may not redefine a built-in
(the request is refused before the run, naming the setting)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from execution.pipelines.library import PipelineLibrary
from execution.services import Services
from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_ollama import FakeOllama
from tests.fixtures.servers import StartServer
from tests.pipelines.conftest import final_status, refused_by_server, run_served
from tests.pipelines.library_files import config, llm_chunk, write_library

TEMPLATE = "Mood: {{MOOD}}\nUser: {{USER_INPUT}}\nInstructions: {{INSTRUCTIONS}}\nText: {{ INPUT_TEXT }}"


@pytest.fixture
def moody(tmp_path: Path, mode_services: Services) -> Services:
    root = write_library(tmp_path, configs={"moody": config()},
                         pipelines={"moody": {"chunks": ["first", "paint"]}},
                         chunks={"first": llm_chunk("Summarise: {{INPUT_TEXT}}"), "paint": llm_chunk(TEMPLATE)})
    return replace(mode_services, pipelines=PipelineLibrary.load([root], mode_services.model_tasks))


async def test_a_placeholder_without_a_value_fails_before_any_call(start_server: StartServer, moody: Services,
                                                                   ollama: FakeOllama) -> None:
    events = await run_served(start_server, moody, pb_request([pb_node("p", "pipeline", config="moody", text="x")], []))
    status = final_status(events, "p")
    assert status.status == events_pb2.NODE_STATUS_ERROR and status.reason == events_pb2.STATUS_REASON_INVALID_INPUT
    assert status.message.startswith("chunk 'paint' (step 2 of 2) uses the placeholder {{MOOD}}, which has no value")
    assert not ollama.requests  # checked for every chunk before the first one ran
    assert not [e for e in events if e.HasField("node_step")]


async def test_the_nodes_placeholders_fill_custom_ones_verbatim(start_server: StartServer, moody: Services,
                                                                ollama: FakeOllama) -> None:
    text = "a {{MOOD}} cat"  # user text: never expanded, never an unknown placeholder
    events = await run_served(start_server, moody, pb_request([pb_node(
        "p", "pipeline", config="moody", text=text, userInput="make it {{LOUD}}", placeholders={"MOOD": "gloomy"})], []))
    assert final_status(events, "p").status == events_pb2.NODE_STATUS_COMPLETE
    _, paint = ollama.requests
    assert paint.prompt == ("Mood: gloomy\nUser: make it {{LOUD}}\nInstructions: Paint it in the given mood.\n"
                            f"Text: {text}")


@pytest.mark.parametrize("placeholders", [{"INPUT_TEXT": "x"}, {"bad name": "x"}, {"MOOD": 3}, "MOOD=gloomy"])
async def test_custom_placeholders_that_cannot_be_used_are_refused(
        start_server: StartServer, moody: Services, ollama: FakeOllama, placeholders: object) -> None:
    [(field, description)] = await refused_by_server(start_server, moody, pb_request([pb_node(
        "p", "pipeline", config="moody", text="x", placeholders=placeholders)], []))
    assert field == "nodes[0].data.placeholders"
    assert description.startswith("node 'p' (pipeline): 'placeholders' must be")
    assert not ollama.requests
