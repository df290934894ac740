"""The editor's whole image pipeline over gRPC, against fake vendors:

    character ─adapter→ initialPrompt → promptEnhancer → translator → imageGenerator
        └──────────────────────────adapter──────────────────────────→ personasReplacer → textOutput

plus an imageDescriber whose image travels inside the node's Struct settings as a data URL.
Generated image bytes come back as NodeOutput.image (bytes + mime type), not as base64.
"""

from __future__ import annotations

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.image_script import ImageReply
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.fixtures.servers import StartServer
from tests.images import samples
from tests.images.message_parts import openai_images
from tests.statuses import final_statuses

GENERATED = samples.encode(samples.halves((512, 384)), "PNG")
PHOTO = samples.encode(samples.noise((400, 300)), "JPEG", quality=90)


def scripted(request: ReceivedRequest) -> Reply:
    prompt = request.prompt
    if "inject specific character appearance" in prompt:
        return Reply.text("A knight with short silver hair rides through a storm")
    if "transform it into a detailed, rich prompt" in prompt or "enhance it" in prompt:
        return Reply.text("A lone knight with short silver hair gallops through a violent thunderstorm at night")
    if prompt.startswith("Translate the following text to French"):
        return Reply.text("Un chevalier solitaire galope à travers un violent orage nocturne")
    if any(p.get("type") == "image_url" for m in request.messages if isinstance(m.get("content"), list)
           for p in m["content"]):
        return Reply.text("A photo of colorful noise")
    return Reply.text(f"unexpected prompt: {prompt[:60]}")


def outputs_by_node(events: list[events_pb2.NodeEvent]) -> dict[str, graph_pb2.NodeOutput]:
    return {e.node_output.node_id: e.node_output.output for e in events if e.HasField("node_output")}


async def test_editor_like_graph_end_to_end_over_grpc(start_server: StartServer, services: Services,
                                                      fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic,
                                                      fake_hf: FakeHfImage) -> None:
    fake_openai.responder = scripted
    fake_anthropic.responder = lambda _r: Reply.text("Mara, a woman with short silver hair, rides through the storm")
    fake_hf.queue(ImageReply(GENERATED))
    target = await start_server(Engine(builtin_registry(), services))
    nodes = [
        pb_node("char", "consistentCharacter", characterName="Mara",
                characterDescription="A woman in her thirties with short silver hair."),
        pb_node("init", "initialPrompt", text="A knight rides through a storm"),
        pb_node("enh", "promptEnhancer"),
        pb_node("tr", "translator", language="fr"),
        pb_node("gen", "imageGenerator", width=1024, height=768, seed=42),
        pb_node("rep", "personasReplacer"),
        pb_node("out", "textOutput"),
        pb_node("desc", "imageDescriber", providerId="mistral", image=samples.data_url(PHOTO, "image/jpeg")),
    ]
    edges = [
        pb_edge("char", "init", handle="adapter-1", edge_id="char-init"),
        pb_edge("init", "enh"), pb_edge("enh", "tr"), pb_edge("tr", "gen"), pb_edge("gen", "rep"),
        pb_edge("char", "rep", handle="adapter-1", edge_id="char-rep"), pb_edge("rep", "out"),
    ]
    async with FlowClient(target) as client:
        events = [e async for e in client.execute_flow(pb_request(nodes, edges, provider_id="mistral"))]

    final = final_statuses(events)
    assert {n: s.status for n, s in final.items()} == {
        n: events_pb2.NODE_STATUS_COMPLETE for n in ("char", "init", "enh", "tr", "gen", "rep", "out", "desc")}
    outputs = outputs_by_node(events)
    translation = "Un chevalier solitaire galope à travers un violent orage nocturne"
    assert outputs["tr"].text == translation

    # imageGenerator: the translation went to FLUX; the image came back as raw bytes.
    [generation] = fake_hf.requests
    assert generation.json == {"inputs": translation, "parameters": {"width": 1024, "height": 768, "seed": 42}}
    gen = outputs["gen"]
    assert gen.text == translation
    assert gen.image.data == GENERATED and gen.image.mime_type == "image/png"

    # personasReplacer: upstream text exists, so a text-only swap through Claude (no image sent).
    [swap] = fake_anthropic.requests
    assert isinstance(swap.messages[0]["content"], str)
    assert "### Mara" in swap.prompt and translation in swap.prompt
    assert outputs["rep"].text == "Mara, a woman with short silver hair, rides through the storm"
    assert "".join(e.text_delta.chunk for e in events
                   if e.HasField("text_delta") and e.text_delta.node_id == "rep") == outputs["rep"].text
    assert outputs["out"].text == outputs["rep"].text

    # imageDescriber: its settings image crossed the wire in the Struct and reached pixtral as a part.
    [described] = [r for r in fake_openai.requests if r.model == "pixtral-12b-2409"]
    assert openai_images(described.messages[0]) == [PHOTO]
    assert outputs["desc"].image.data == PHOTO and outputs["desc"].text == "A photo of colorful noise"

    completed = events[-1].run_completed
    assert completed.counts.complete == 8
    # Image bytes travel once, in node_output; the run summary keeps only the mime type.
    assert outputs["gen"].image.data == GENERATED
    assert completed.outputs["gen"].image.mime_type == outputs["gen"].image.mime_type
    assert completed.outputs["gen"].image.data == b""
