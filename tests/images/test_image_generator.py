"""imageGenerator through the engine: the request each vendor receives, vendor choice, the
image normalised into the output, garbage from a vendor, and dry run."""

from __future__ import annotations

import json

import pytest

from execution.errors import GraphValidationError
from execution.events import NodeStatus, StatusReason
from execution.services import Services
from tests.builders import edge, node
from tests.fakes.fake_fireworks import FakeFireworks
from tests.fakes.fake_glm_image import FakeGlmImage
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.image_script import ImageReply
from tests.images import samples
from tests.run_flow import run_flow

PNG = samples.solid((64, 64))


async def test_settings_become_the_hf_request_and_the_image_the_output(services: Services,
                                                                        fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply(PNG))
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="  a red fox in snow ", width=1024.0,
                                         height=768.0, steps=4.0, seed=42.0, negativePrompt="text, watermark")], [])
    assert run.status("gen") is NodeStatus.COMPLETE
    [received] = fake_hf.requests
    assert received.path == "/models/black-forest-labs/FLUX.1-schnell"
    assert received.json == {"inputs": "a red fox in snow", "parameters": {
        "width": 1024, "height": 768, "num_inference_steps": 4, "negative_prompt": "text, watermark", "seed": 42}}
    out = run.output("gen")
    assert out.text == "a red fox in snow"
    assert out.image is not None and out.image.data == PNG and out.image.mime_type == "image/png"
    [call] = out.provider_calls
    assert (call.provider_id, call.model, call.purpose) == ("huggingface", "black-forest-labs/FLUX.1-schnell",
                                                           "generate-image")
    assert json.loads(call.messages[0].content) == received.json


async def test_upstream_text_is_the_prompt(services: Services, fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply(PNG))
    run = await run_flow(services, [node("scene", "sceneBuilder", lighting="neon"),
                                    node("gen", "imageGenerator", prompt="ignored")], [edge("scene", "gen")])
    assert run.status("gen") is NodeStatus.COMPLETE
    assert fake_hf.requests[0].json["inputs"].startswith("Neon lighting")
    assert run.output("gen").text.startswith("Neon lighting")


async def test_vendor_follows_node_then_flow_provider(services: Services, fake_glm: FakeGlmImage,
                                                      fake_fireworks: FakeFireworks, fake_hf: FakeHfImage) -> None:
    fake_glm.queue(ImageReply(PNG), ImageReply(PNG))
    fake_fireworks.queue(ImageReply(PNG))
    nodes = [node("a", "imageGenerator", prompt="x", providerId="glm"),
             node("b", "imageGenerator", prompt="x", providerId="fireworks", model="FLUX.1-dev", width=1920,
                  height=1080)]
    run = await run_flow(services, nodes, [])
    assert run.status("a") is NodeStatus.COMPLETE and run.status("b") is NodeStatus.COMPLETE
    # No seed on the node: one is drawn and sent (Fireworks takes seeds), and the output says which.
    body = dict(fake_fireworks.requests[0].json)
    assert body.pop("seed") == run.output("b").seed
    assert body == {"prompt": "x", "aspect_ratio": "16:9"}
    assert run.output("a").seed is None  # GLM takes no seed
    assert "flux-1-dev-fp8" in fake_fireworks.requests[0].path
    # A "glm" flow generates with GLM-Image; a "mistral" node is refused.
    run = await run_flow(services, [node("c", "imageGenerator", prompt="x"),
                                    node("d", "imageGenerator", prompt="x", providerId="mistral")], [],
                         provider_id="glm")
    assert run.status("c") is NodeStatus.COMPLETE
    assert len(fake_glm.requests_to("generations")) == 2
    assert run.final("d").reason is StatusReason.INVALID_INPUT
    assert "does not generate images" in run.final("d").message
    assert fake_hf.requests == []


async def test_generated_image_is_normalised_for_the_wire(services: Services, fake_hf: FakeHfImage) -> None:
    big = samples.encode(samples.halves((3000, 1500)), "PNG")
    fake_hf.queue(ImageReply(big))
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="x")], [])
    image = run.output("gen").image
    assert image is not None and samples.open_image(image.data).size == (2048, 1024)


async def test_garbage_from_the_vendor_is_a_node_error_and_the_engine_goes_on(services: Services,
                                                                              fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply(b"\x89PNG\r\n\x1a\n this is not really a png"), ImageReply(PNG))
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="x")], [])
    final = run.final("gen")
    assert (final.status, final.reason) == (NodeStatus.ERROR, StatusReason.PROVIDER_ERROR)
    assert final.message.startswith("huggingface returned an unusable image:")
    again = await run_flow(services, [node("gen", "imageGenerator", prompt="x")], [])
    assert again.status("gen") is NodeStatus.COMPLETE


async def test_bad_settings_refuse_the_request_and_a_missing_prompt_fails_the_node(services: Services) -> None:
    """Settings that do not fit are named before the run; a prompt that is missing is an input
    problem of the node (an upstream text may bring it), found when it runs."""
    bad = [node("b", "imageGenerator", prompt="x", width=1000.5), node("c", "imageGenerator", prompt="x", seed="abc")]
    with pytest.raises(GraphValidationError) as info:
        await run_flow(services, bad, [])
    assert [(v.field, v.description) for v in info.value.violations] == [
        ("nodes[0].data.width", "node 'b' (imageGenerator): 'width' must be a whole number from 64 to 4096, not 1000.5"),
        ("nodes[1].data.seed", "node 'c' (imageGenerator): 'seed' must be a number, not 'abc'"),
    ]
    run = await run_flow(services, [node("a", "imageGenerator")], [])
    assert run.final("a").reason is StatusReason.INVALID_INPUT and "No prompt" in run.final("a").message


async def test_missing_key_is_not_configured(fake_hf: FakeHfImage) -> None:
    services = Services()  # no keys at all
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="x")], [])
    assert run.final("gen").reason is StatusReason.NOT_CONFIGURED
    assert "HF_API_KEY" in run.final("gen").message


async def test_dry_run_generates_nothing_and_shows_the_request(services: Services, fake_hf: FakeHfImage) -> None:
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="a fox", width=512, height=512)], [],
                         dry_run=True)
    assert fake_hf.requests == []
    out = run.output("gen")
    assert out.dry_run and out.image is None and out.text == "a fox"
    [call] = out.provider_calls
    assert json.loads(call.messages[0].content) == {"inputs": "a fox", "parameters": {"width": 512, "height": 512}}


@pytest.mark.parametrize(("spelling", "vendor"), [
    ("hf", "huggingface"), ("huggingface-image", "huggingface"), (" HuggingFace ", "huggingface"),
    ("z.ai", "glm"), ("glm-image", "glm"), ("bfl", "fireworks"), ("fireworks-ai", "fireworks"),
])
async def test_an_editor_alias_is_recorded_as_the_vendor_id(services: Services, spelling: str, vendor: str) -> None:
    nodes = [node("own", "imageGenerator", prompt="x", providerId=spelling), node("flow", "imageGenerator", prompt="x")]
    run = await run_flow(services, nodes, [], provider_id=spelling, dry_run=True)
    assert [run.output(n).provider_calls[0].provider_id for n in ("own", "flow")] == [vendor, vendor]


async def test_a_vendor_error_names_the_vendor_id_not_the_alias(services: Services, fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply.error(400, "bad prompt"))
    run = await run_flow(services, [node("gen", "imageGenerator", prompt="x", providerId="huggingface-image")], [])
    assert run.final("gen").message == "huggingface returned HTTP 400: bad prompt"
