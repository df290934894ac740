"""A pipeline ending in an output chunk: the seed's Dadaism transformation, then its text rendered
on the fake ComfyUI (real HTTP and websocket) — the image comes back as the node's output, with
ComfyUI's progress; a dry run submits nothing; a chunk whose mapping misses its workflow stops
the library from loading."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from execution.config_error import ConfigurationError
from execution.events import NodeStatus, NodeStep
from execution.model_tasks.table import default_model_tasks
from execution.pipelines.library import EXAMPLES_DIR, PipelineLibrary
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.services import Services
from tests.builders import node
from tests.fakes.fake_comfyui import FakeComfyUI
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import Reply
from tests.images import samples
from tests.pipelines.conftest import mode_settings
from tests.pipelines.library_files import config, write_library
from tests.run_flow import run_flow

COLLAGE = "A collage: newspaper letters, a coffee cup, a gear"


@pytest.fixture
async def image_services(ollama: FakeOllama, openrouter: FakeOpenAI, fake_comfyui: FakeComfyUI) -> AsyncIterator[Services]:
    fake_comfyui.steps = 3
    images = ImageProviderSettings.explicit(comfyui_image_base_url=fake_comfyui.url, comfyui_poll_seconds=0.05)
    services = Services.from_settings(mode_settings(ollama, openrouter), images)
    try:
        yield services
    finally:
        await services.aclose()


async def test_the_last_chunk_renders_the_previous_chunks_text_on_comfyui(
        image_services: Services, ollama: FakeOllama, fake_comfyui: FakeComfyUI) -> None:
    ollama.responder = lambda request: Reply.text(COLLAGE)
    run = await run_flow(image_services, [node("dada", "pipeline", config="dadaism_image", text="a café")], [])
    assert run.status("dada") is NodeStatus.COMPLETE, run.final("dada").message
    [manipulate] = ollama.requests
    assert manipulate.prompt.startswith("Task:\n") and manipulate.prompt.endswith("Prompt:\na café")
    [submitted] = fake_comfyui.submitted
    workflow = submitted["prompt"]
    assert workflow["10"]["inputs"]["value"] == COLLAGE  # {{PREVIOUS_OUTPUT}}: the first chunk's text
    assert workflow["11"]["inputs"]["value"] == "blurry, watermark, text"  # the mapping's default
    assert workflow["8"]["inputs"]["seed"] == 0  # the mapping's default, a number
    out = run.output("dada")
    assert out.text == COLLAGE
    assert out.image is not None and samples.open_image(out.image.data).size == (64, 48)
    assert [(s.index, s.name, s.state.value, s.text) for s in (e.body for e in run.events)
            if isinstance(s, NodeStep)] == [(0, "manipulate", "started", ""), (0, "manipulate", "completed", COLLAGE),
                                            (1, "output_image_sd35", "started", ""),
                                            (1, "output_image_sd35", "completed", "")]
    assert [(p.value, p.max) for p in run.progress("dada")] == [(1, 3), (2, 3), (3, 3)]
    assert [c.purpose for c in out.provider_calls] == ["manipulate", "comfyui-workflow"]


async def test_a_dry_run_submits_nothing_to_comfyui(image_services: Services, ollama: FakeOllama,
                                                    fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(image_services, [node("dada", "pipeline", config="dadaism_image", text="a café")], [],
                         dry_run=True)
    assert run.status("dada") is NodeStatus.COMPLETE, run.final("dada").message
    assert not fake_comfyui.submitted and not ollama.requests
    out = run.output("dada")
    manipulate, render = out.provider_calls
    assert out.dry_run and out.image is None
    assert render.provider_id == "comfyui"
    # The workflow as it would be submitted, its prompt the first chunk's dry result (its own prompt).
    assert json.loads(render.messages[0].content)["10"]["inputs"]["value"] == manipulate.messages[0].content


def test_a_mapping_that_misses_its_workflow_stops_the_library(tmp_path: Path) -> None:
    chunk = {"backend_type": "comfyui", "workflow": {"1": {"class_type": "SaveImage", "inputs": {"images": ["2", 0]}}},
             "input_mappings": {"prompt": {"node_id": "10", "field": "inputs.value", "source": "{{PREVIOUS_OUTPUT}}"}},
             "output_mapping": {"node_id": "1"}}
    root = write_library(tmp_path, configs={"c": config("paint")},
                         pipelines={"paint": {"chunks": ["manipulate", "render"]}}, chunks={"render": chunk})
    with pytest.raises(ConfigurationError) as caught:
        PipelineLibrary.load([EXAMPLES_DIR, root], default_model_tasks())
    [problem] = caught.value.problems
    assert problem.startswith(f"{root}/chunks/render.json: input mapping 'prompt' of chunk 'render' points at node '10'")
