"""ComfyUI through the engine, against the fake ComfyUI's real HTTP and websocket: progress
events, images as bytes, cancel → /interrupt, a queued cancel → queue delete, a silent socket
→ history polling, a bad mapping → the request refused naming it (or the node INVALID_INPUT for
a value naming no mapping), idempotent resubmission, and
ComfyUI's own errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from execution.engine import Engine
from execution.errors import GraphValidationError
from execution.events import Event, NodeStatus, StatusReason
from execution.nodes.builtin import builtin_registry
from execution.providers.image_vendors.comfyui.chunk import OutputChunk
from execution.providers.image_vendors.comfyui.runner import prompt_id_for
from execution.providers.image_vendors.generation import GenerationJob
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.scheduler import FlowRun
from execution.services import Services
from tests.builders import edge, flow, node
from tests.comfyui.chunks import SD35_CHUNK, sd35_chunk
from tests.fakes.fake_comfyui import FakeComfyUI, png, seed_colour
from tests.fakes.llm_env import fake_settings
from tests.images import samples
from tests.run_flow import Run, run_flow
from tests.statuses import final_statuses


def workflow_node(node_id: str = "comfy", chunk: Any = None, **values: Any) -> Any:
    return node(node_id, "comfyuiWorkflow", chunk=SD35_CHUNK if chunk is None else chunk, values=values)


def pixel(image_bytes: bytes) -> tuple[int, ...]:
    return tuple(samples.open_image(image_bytes).convert("RGB").getpixel((0, 0)))


async def test_a_chunk_runs_with_progress_and_returns_its_image_as_bytes(comfy_services: Services,
                                                                         fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(comfy_services, [node("idea", "initialPrompt", text="a red lighthouse"),
                                          workflow_node(seed=66051.0, width=512.0)], [edge("idea", "comfy")])
    assert run.status("comfy") is NodeStatus.COMPLETE, run.final("comfy").message
    [submitted] = fake_comfyui.submitted
    workflow = submitted["prompt"]
    assert workflow["10"]["inputs"]["value"] == "a red lighthouse"  # {{PREVIOUS_OUTPUT}} ← upstream text
    assert (workflow["3"]["inputs"]["width"], workflow["8"]["inputs"]["seed"]) == (512, 66051)
    assert submitted["prompt_id"] == prompt_id_for(GenerationJob(run.events[0].run_id, "comfy"))
    assert submitted["client_id"]
    # Each sampler step of ComfyUI is a NodeProgress event, labelled with the node's title.
    assert [(p.value, p.max, p.label, p.step) for p in run.progress("comfy")] == [
        (1, 3, "Sampler", "8"), (2, 3, "Sampler", "8"), (3, 3, "Sampler", "8")]
    image = run.output("comfy").image
    assert image is not None and image.mime_type == "image/png"
    assert pixel(image.data) == seed_colour(workflow) == (0x03, 0x02, 0x01)  # the file's bytes, not a URL
    assert [v["filename"] for v in fake_comfyui.views] == list(fake_comfyui.files)
    assert run.output("comfy").text == "a red lighthouse"


async def test_image_generator_uses_comfyui_as_a_vendor(comfy_services: Services, fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(comfy_services, [node("gen", "imageGenerator", prompt="a fox", providerId="comfyui",
                                               width=640.0, height=480.0, seed=5.0, steps=4.0)], [])
    assert run.status("gen") is NodeStatus.COMPLETE, run.final("gen").message
    workflow = fake_comfyui.submitted[0]["prompt"]
    assert workflow["6"]["inputs"]["text"] == "a fox"
    assert workflow["5"]["inputs"]["width"] == 640 and workflow["3"]["inputs"]["seed"] == 5
    assert len(run.progress("gen")) == 3
    out = run.output("gen")
    assert out.image is not None and pixel(out.image.data) == (5, 0, 0)
    assert out.provider_calls[0].provider_id == "comfyui"


async def started_run(services: Services, *nodes: Any) -> tuple[FlowRun, list[Event]]:
    engine = Engine(builtin_registry(), services)
    return engine.start(engine.prepare(flow(list(nodes), []))), []


async def finish(run: FlowRun, events: list[Event]) -> Run:
    async for batch in run.batches():
        events += batch
    return Run(events)


async def test_cancelling_a_running_node_interrupts_its_prompt(comfy_services: Services,
                                                               fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.gate.clear()  # the sampler stops after its first step
    run, events = await started_run(comfy_services, workflow_node(PREVIOUS_OUTPUT="x"))
    await fake_comfyui.progressed.wait()
    await run.cancel()
    done = await finish(run, events)
    assert done.final("comfy").status is NodeStatus.CANCELLED
    prompt_id = fake_comfyui.submitted[0]["prompt_id"]
    assert fake_comfyui.interrupts == [{"prompt_id": prompt_id}]
    assert fake_comfyui.deletes == []
    await asyncio.wait_for(_until(lambda: prompt_id in fake_comfyui.history), 5)
    assert fake_comfyui.history[prompt_id]["status"]["status_str"] == "error"  # ComfyUI stopped it


async def test_cancelling_a_queued_node_removes_its_prompt_from_the_queue(comfy_services: Services,
                                                                          fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.paused.clear()  # ComfyUI busy: our prompt waits in its queue
    run, events = await started_run(comfy_services, workflow_node(PREVIOUS_OUTPUT="x"))
    await asyncio.wait_for(_until(lambda: bool(fake_comfyui.pending)), 5)
    await run.cancel()
    done = await finish(run, events)
    assert done.final("comfy").status is NodeStatus.CANCELLED
    assert fake_comfyui.deletes == [[fake_comfyui.submitted[0]["prompt_id"]]]
    assert fake_comfyui.pending == [] and fake_comfyui.interrupts == []


async def test_a_silent_websocket_is_covered_by_polling_the_history(comfy_services: Services,
                                                                    fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.silent = True
    run = await run_flow(comfy_services, [workflow_node(PREVIOUS_OUTPUT="x", seed=1.0)], [])
    assert run.status("comfy") is NodeStatus.COMPLETE, run.final("comfy").message
    assert run.progress("comfy") == []  # nothing came through the socket
    assert fake_comfyui.socket_connections == 1
    image = run.output("comfy").image
    assert image is not None and pixel(image.data) == (1, 0, 0)


async def test_a_dropped_websocket_does_not_stall_the_node(comfy_services: Services,
                                                          fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.gate.clear()
    run, events = await started_run(comfy_services, workflow_node(PREVIOUS_OUTPUT="x", seed=4.0))
    await fake_comfyui.progressed.wait()
    await fake_comfyui.drop_sockets()
    fake_comfyui.gate.set()
    done = await finish(run, events)
    assert done.status("comfy") is NodeStatus.COMPLETE, done.final("comfy").message
    image = done.output("comfy").image
    assert image is not None and pixel(image.data) == (4, 0, 0)


async def test_a_prompt_past_the_timeout_fails_the_node_and_leaves_the_queue(fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.paused.clear()  # never starts
    images = ImageProviderSettings.explicit(comfyui_image_base_url=fake_comfyui.url, comfyui_poll_seconds=0.05)
    services = Services.from_settings(fake_settings(provider_timeout=0.3), images)
    try:
        run = await run_flow(services, [workflow_node(PREVIOUS_OUTPUT="x")], [])
    finally:
        await services.aclose()
    final = run.final("comfy")
    assert (final.status, final.reason, final.retryable) == (NodeStatus.ERROR, StatusReason.TIMEOUT, True)
    assert final.message.startswith("ComfyUI did not finish prompt ")
    assert fake_comfyui.deletes == [[fake_comfyui.submitted[0]["prompt_id"]]] and fake_comfyui.pending == []


async def test_a_mapping_to_a_missing_input_refuses_the_request_naming_it_before_anything_is_sent(
        comfy_services: Services, fake_comfyui: FakeComfyUI) -> None:
    bad = sd35_chunk()
    bad["input_mappings"]["steps"]["field"] = "inputs.step_count"
    with pytest.raises(GraphValidationError) as info:
        await run_flow(comfy_services, [workflow_node(chunk=bad, PREVIOUS_OUTPUT="x"), node("after", "textOutput")],
                       [edge("comfy", "after")])
    [violation] = info.value.violations
    assert violation.field == "nodes[0].data.chunk"
    assert "input mapping 'steps'" in violation.description
    assert "'step_count' of node '8' (KSampler)" in violation.description
    assert fake_comfyui.submitted == []


async def test_a_value_naming_no_mapping_fails_the_node(comfy_services: Services, fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(comfy_services, [workflow_node(PREVIOUS_OUTPUT="x", widht=5)], [])
    assert run.final("comfy").reason is StatusReason.INVALID_INPUT
    assert "value 'widht' matches no input mapping" in run.final("comfy").message
    assert fake_comfyui.submitted == []


async def test_a_lost_reply_to_a_submission_does_not_submit_twice(comfy_services: Services,
                                                                   fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.bad_gateway = 1  # ComfyUI queued it, the reply was lost (502): the retry must find it
    run = await run_flow(comfy_services, [workflow_node(PREVIOUS_OUTPUT="x")], [])
    assert run.status("comfy") is NodeStatus.COMPLETE, run.final("comfy").message
    assert len(fake_comfyui.submitted) == 1
    assert len(fake_comfyui.history) == 1


async def test_resubmitting_a_job_follows_the_prompt_already_there(comfy_services: Services,
                                                                   fake_comfyui: FakeComfyUI) -> None:
    from execution.nodes.comfyui import comfyui_vendor

    vendor = comfyui_vendor(comfy_services)
    chunk = OutputChunk.parse(SD35_CHUNK)
    job = GenerationJob("run-1", "node-1", attempt=1)
    first = await vendor.run_chunk(chunk, {"PREVIOUS_OUTPUT": "x"}, job)
    again = await vendor.run_chunk(chunk, {"PREVIOUS_OUTPUT": "x"}, job)
    retried = await vendor.run_chunk(chunk, {"PREVIOUS_OUTPUT": "x"}, GenerationJob("run-1", "node-1", attempt=2))
    assert len(fake_comfyui.submitted) == 2  # the resubmission ran nothing; the next attempt is a new prompt
    assert (first.resumed, again.resumed, retried.resumed) == (False, True, False)
    assert again.prompt_id == first.prompt_id != retried.prompt_id
    assert again.files == first.files


async def test_comfyui_errors_fail_the_node_with_its_message_without_urls(comfy_services: Services,
                                                                          fake_comfyui: FakeComfyUI) -> None:
    fake_comfyui.fail_node = "5"
    run = await run_flow(comfy_services, [workflow_node(PREVIOUS_OUTPUT="x"), workflow_node("other", seed=2.0,
                                                                                            PREVIOUS_OUTPUT="y")], [])
    final = run.final("comfy")
    assert (final.status, final.reason, final.retryable) == (NodeStatus.ERROR, StatusReason.PROVIDER_ERROR, False)
    assert final.message == ("ComfyUI failed in node 5 (CheckpointLoaderSimple): FileNotFoundError: checkpoint "
                             "sd3.5_large.safetensors not found at <url>")
    assert "10.0.0.5" not in str(final_statuses(run.events))


async def test_a_workflow_comfyui_refuses_is_a_provider_error_naming_the_node(comfy_services: Services,
                                                                               fake_comfyui: FakeComfyUI) -> None:
    data = sd35_chunk()
    data["workflow"]["9"]["class_type"] = "MissingNode"
    run = await run_flow(comfy_services, [workflow_node(chunk=data, PREVIOUS_OUTPUT="x")], [])
    final = run.final("comfy")
    assert (final.status, final.reason) == (NodeStatus.ERROR, StatusReason.PROVIDER_ERROR)
    assert final.message == ("ComfyUI refused the workflow: Prompt outputs failed validation; node 9 (MissingNode): "
                             "Node class not found see <url>")


async def test_without_a_base_url_the_node_is_not_configured(services: Services) -> None:
    run = await run_flow(services, [workflow_node(PREVIOUS_OUTPUT="x")], [])
    assert run.final("comfy").reason is StatusReason.NOT_CONFIGURED
    assert "COMFYUI_BASE_URL" in run.final("comfy").message


async def test_dry_run_shows_the_workflow_and_sends_nothing(comfy_services: Services,
                                                            fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(comfy_services, [workflow_node(PREVIOUS_OUTPUT="x", steps=8.0)], [], dry_run=True)
    [call] = run.output("comfy").provider_calls
    assert (call.provider_id, call.model, call.purpose) == ("comfyui", "output_image_sd35", "comfyui-workflow")
    assert '"steps": 8' in call.messages[0].content
    assert fake_comfyui.submitted == [] and fake_comfyui.socket_connections == 0


async def test_prompts_share_one_websocket(comfy_services: Services, fake_comfyui: FakeComfyUI) -> None:
    run = await run_flow(comfy_services, [workflow_node(f"c{i}", PREVIOUS_OUTPUT="x", seed=float(i)) for i in range(3)],
                         [])
    assert all(run.status(f"c{i}") is NodeStatus.COMPLETE for i in range(3))
    assert [len(run.progress(f"c{i}")) for i in range(3)] == [3, 3, 3]
    assert fake_comfyui.socket_connections == 1
    assert [pixel(run.output(f"c{i}").image.data) for i in range(3)] == [(0, 0, 0), (1, 0, 0), (2, 0, 0)]  # type: ignore[union-attr]


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


_ = png  # the fake's PNG maker, for readers looking for where the bytes come from
