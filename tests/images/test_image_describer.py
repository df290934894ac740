"""imageDescriber through the engine: vision requests as the fake vendors receive them
(OpenAI image_url parts, Claude image blocks), the three prompt variants, Florence-2, dry
run, and hostile images that must end as a node error with the engine unharmed."""

from __future__ import annotations

import pytest

from execution.events import NodeStatus, StatusReason
from execution.outputs import Image, NodeOutput
from execution.prompts.describe import CLAUDE_SYSTEM
from execution.services import Services
from tests.builders import edge, node
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.image_script import ImageReply
from tests.images import samples
from tests.images.message_parts import anthropic_images, openai_images, texts
from tests.run_flow import run_flow

PHOTO = samples.solid((64, 48))


async def test_claude_by_default_with_an_image_block(services: Services, fake_anthropic: FakeAnthropic) -> None:
    big = samples.encode(samples.halves((3000, 2000)), "PNG")
    run = await run_flow(services, [node("d", "imageDescriber", image=samples.data_url(big), notes="mention the colors")],
                         [])
    assert run.status("d") is NodeStatus.COMPLETE
    [received] = fake_anthropic.requests
    assert received.body["system"] == CLAUDE_SYSTEM
    [message] = received.messages
    [sent] = anthropic_images(message)
    assert samples.open_image(sent).size == (1568, 1045)  # fitted to Claude's long-edge guidance
    assert message["content"][0]["type"] == "image"  # the image comes before the instruction
    [instruction] = texts(message)
    assert "<task>" in instruction and "mention the colors" in instruction
    out = run.output("d")
    assert out.text == f"[{received.model}] reply" and "".join(run.deltas("d")) == out.text
    assert out.image is not None and samples.open_image(out.image.data).size == (2048, 1365)


async def test_openai_compatible_vision_model_with_an_image_url_part(services: Services,
                                                                      fake_openai: FakeOpenAI) -> None:
    run = await run_flow(services, [node("d", "imageDescriber", providerId="mistral", image=samples.b64(PHOTO))], [])
    assert run.status("d") is NodeStatus.COMPLETE
    [received] = fake_openai.requests
    assert received.path == "/mistral/v1/chat/completions"
    assert received.model == "pixtral-12b-2409"  # a vision model, not the text default
    [message] = received.messages
    assert openai_images(message) == [PHOTO]  # already fits: sent byte for byte
    [instruction] = texts(message)
    assert "recreate it" in instruction
    [call] = run.output("d").provider_calls
    assert call.purpose == "describe" and call.model == "pixtral-12b-2409"
    assert call.messages[0].content.startswith("[image: image/png 64×48,")


@pytest.mark.parametrize(("provider_id", "named", "model"), [
    ("mistral", "", "pixtral-12b-2409"),
    ("glm", "", "glm-4.6v"),
    ("huggingface", "", "Qwen/Qwen2.5-VL-7B-Instruct"),
    ("openrouter", "", "cognitivecomputations/dolphin-mistral-24b-venice-edition:free"),  # no vision model: its default
    ("mistral", "pixtral-large-latest", "pixtral-large-latest"),  # the node's own model wins
])
async def test_vision_model_when_the_node_names_none(services: Services, fake_openai: FakeOpenAI,
                                                     provider_id: str, named: str, model: str) -> None:
    run = await run_flow(services, [node("d", "imageDescriber", providerId=provider_id, model=named,
                                         image=samples.b64(PHOTO))], [])
    assert run.status("d") is NodeStatus.COMPLETE
    [received] = fake_openai.requests
    assert (received.path, received.model) == (f"/{provider_id}/v1/chat/completions", model)
    assert run.output("d").provider_calls[0].model == model


async def test_images_fit_the_formats_of_the_provider_profile(services: Services, fake_openai: FakeOpenAI,
                                                               fake_anthropic: FakeAnthropic) -> None:
    webp = samples.solid((64, 48), fmt="WEBP")
    nodes = [node("claude", "imageDescriber", image=samples.b64(webp)),
             node("mistral", "imageDescriber", providerId="mistral", image=samples.b64(webp))]
    run = await run_flow(services, nodes, [])
    assert run.status("claude") is NodeStatus.COMPLETE and run.status("mistral") is NodeStatus.COMPLETE
    [block] = [b for b in fake_anthropic.requests[0].messages[0]["content"] if b["type"] == "image"]
    assert block["source"]["media_type"] == "image/webp"  # Claude reads WebP
    [sent] = openai_images(fake_openai.requests[0].messages[0])  # JPEG/PNG data URLs only
    assert samples.open_image(sent).format in {"JPEG", "PNG"}


async def test_persona_and_both_variants(services: Services, fake_openai: FakeOpenAI) -> None:
    face = samples.solid((40, 40), color=samples.BLUE)
    nodes = [node("p", "imageDescriber", providerId="glm", image=samples.data_url(face), imageType="persona"),
             node("b", "imageDescriber", providerId="glm", image=samples.data_url(PHOTO),
                  personaImage=samples.data_url(face))]
    run = await run_flow(services, nodes, [])
    assert run.status("p") is NodeStatus.COMPLETE and run.status("b") is NodeStatus.COMPLETE
    [persona] = [r for r in fake_openai.requests if "shows a character" in texts(r.messages[0])[-1]]
    [both] = [r for r in fake_openai.requests if "Image 1 is a REFERENCE" in texts(r.messages[0])[-1]]
    assert persona.model == "glm-4.6v" and openai_images(persona.messages[0]) == [face]
    assert openai_images(both.messages[0]) == [PHOTO, face]
    assert texts(both.messages[0])[:2] == ["Image 1 — reference scene:", "Image 2 — character:"]


async def test_florence_option_goes_to_hf_inference(services: Services, fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply(extra={"generated_text": "A red square."}))
    run = await run_flow(services, [node("d", "imageDescriber", providerId="florence", image=samples.b64(PHOTO))],
                         [])
    assert run.output("d").text == "A red square."
    [received] = fake_hf.requests
    assert received.path == "/models/microsoft/Florence-2-large" and received.raw == PHOTO


async def test_florence_is_recorded_under_the_huggingface_id(services: Services, fake_hf: FakeHfImage) -> None:
    run = await run_flow(services, [node("d", "imageDescriber", providerId="florence", image=samples.b64(PHOTO))],
                         [], dry_run=True)
    [call] = run.output("d").provider_calls
    assert (call.provider_id, call.model) == ("huggingface", "microsoft/Florence-2-large")
    assert fake_hf.requests == []


async def test_dry_run_sends_nothing_and_shows_the_request(services: Services, fake_anthropic: FakeAnthropic) -> None:
    run = await run_flow(services, [node("d", "imageDescriber", image=samples.data_url(PHOTO))], [], dry_run=True)
    assert fake_anthropic.requests == []
    out = run.output("d")
    assert out.dry_run and out.image is not None
    [call] = out.provider_calls
    assert [m.role for m in call.messages] == ["system", "user"]
    assert call.messages[1].content.startswith(f"[image: image/png 64×48, {len(PHOTO):,} bytes]\n\n<task>")
    assert out.text == "\n\n".join(m.content for m in call.messages)


async def test_no_image_is_invalid_input(services: Services) -> None:
    run = await run_flow(services, [node("d", "imageDescriber")], [])
    assert run.final("d").reason is StatusReason.INVALID_INPUT
    message = run.final("d").message
    assert message.startswith("No image: looked at the node's 'image' and 'personaImage' settings and its upstream")


async def test_an_upstream_image_is_described_when_the_node_has_none(services: Services,
                                                                      fake_anthropic: FakeAnthropic) -> None:
    cached = {"gen": NodeOutput(text="a red square", image=Image(PHOTO, "image/png"))}
    run = await run_flow(services, [node("gen", "imageGenerator"), node("d", "imageDescriber")], [edge("gen", "d")],
                         trigger="d", cached=cached)
    assert run.status("d") is NodeStatus.COMPLETE
    [received] = fake_anthropic.requests
    assert anthropic_images(received.messages[0]) == [PHOTO]  # small enough: sent byte for byte
    assert run.output("d").image is not None


async def test_hostile_images_are_node_errors_and_the_engine_stays_healthy(services: Services,
                                                                          fake_anthropic: FakeAnthropic) -> None:
    hostile = {
        "bomb": samples.bomb_png(),
        "sparse": samples.sparse_bilevel_png(),
        "cut": samples.truncated(samples.encode(samples.noise((120, 120)), "JPEG")),
        "text": b"definitely not an image",
        "tiff": samples.solid((10, 10), fmt="TIFF"),
    }
    nodes = [node(name, "imageDescriber", image=samples.data_url(raw)) for name, raw in hostile.items()]
    nodes.append(node("bad64", "imageDescriber", image="data:image/png;base64,@@@"))
    run = await run_flow(services, nodes, [])
    expected = {"bomb": "decompression-bomb guard", "sparse": "the limit is 40 MP", "cut": "truncated or corrupt",
                "text": "not an image", "tiff": "unsupported image format TIFF", "bad64": "not valid base64"}
    for name, fragment in expected.items():
        final = run.final(name)
        assert (final.status, final.reason) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT), name
        assert fragment in final.message, (name, final.message)
    assert fake_anthropic.requests == []  # nothing was paid for
    healthy = await run_flow(services, [node("d", "imageDescriber", image=samples.data_url(PHOTO))], [])
    assert healthy.status("d") is NodeStatus.COMPLETE
