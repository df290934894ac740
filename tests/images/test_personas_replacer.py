"""personasReplacer through the engine: text-only swap when upstream text exists, vision
analysis otherwise (upstream image preferred over data.image, including an image that comes
back from the client in cached_outputs), single and multi persona variants, dry run."""

from __future__ import annotations

from execution.events import NodeStatus, StatusReason
from execution.graph.model import Edge, Node
from execution.outputs import Image, NodeOutput
from execution.services import Services
from tests.builders import edge, node
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.images import samples
from tests.images.message_parts import anthropic_images, openai_images, texts
from tests.run_flow import run_flow
from tests.statuses import final_statuses

MARA = dict(characterName="Mara", characterDescription="A woman in her thirties with short silver hair.")
JON = dict(characterName="Jon", characterDescription="A tall man with a red beard.")
UPSTREAM = samples.solid((80, 60), color=samples.GREEN)
SETTING = samples.solid((80, 60), color=samples.BLUE)


def character(node_id: str, **data: str) -> tuple[Node, Edge]:
    return node(node_id, "consistentCharacter", **data), edge(node_id, "rep", handle="adapter-1",
                                                             edge_id=f"{node_id}-adapter")


async def test_upstream_text_gets_a_text_only_swap(services: Services, fake_anthropic: FakeAnthropic) -> None:
    mara, mara_edge = character("mara", **MARA)
    nodes = [mara, node("scene", "sceneBuilder", lighting="neon"),
             node("rep", "personasReplacer", image=samples.data_url(SETTING))]
    run = await run_flow(services, nodes, [mara_edge, edge("scene", "rep")])
    assert run.status("rep") is NodeStatus.COMPLETE
    [received] = fake_anthropic.requests
    [message] = received.messages
    assert isinstance(message["content"], str)  # no image: the description is rewritten, not re-analysed
    assert "## CHARACTER:\n### Mara\nA woman in her thirties" in message["content"]
    assert "## IMAGE DESCRIPTION:\nNeon lighting" in message["content"]
    out = run.output("rep")
    assert out.text == f"[{received.model}] reply" and out.image is None
    assert out.provider_calls[0].purpose == "replace"


async def test_multi_persona_variant(services: Services, fake_openai: FakeOpenAI) -> None:
    mara, mara_edge = character("mara", **MARA)
    jon, jon_edge = character("jon", **JON)
    nodes = [mara, jon, node("scene", "sceneBuilder", mood="epic"), node("rep", "personasReplacer", providerId="mistral")]
    run = await run_flow(services, nodes, [mara_edge, jon_edge, edge("scene", "rep")])
    assert run.status("rep") is NodeStatus.COMPLETE
    content = fake_openai.requests[0].messages[0]["content"]
    assert "## CHARACTERS:\n### Mara" in content and "### Jon\nA tall man" in content
    assert "Use each character at most once" in content
    assert fake_openai.requests[0].model == "ministral-14b-2512"  # text swap: the text model is fine


async def test_without_text_the_settings_image_is_analysed(services: Services, fake_anthropic: FakeAnthropic) -> None:
    mara, mara_edge = character("mara", **MARA)
    run = await run_flow(services, [mara, node("rep", "personasReplacer", image=samples.data_url(SETTING))],
                         [mara_edge])
    assert run.status("rep") is NodeStatus.COMPLETE
    [message] = fake_anthropic.requests[0].messages
    assert anthropic_images(message) == [SETTING]
    [instruction] = texts(message)
    assert "Look at the image above" in instruction and "### Mara" in instruction


async def test_an_image_from_cached_outputs_flows_in_and_wins_over_the_setting(services: Services,
                                                                              fake_openai: FakeOpenAI) -> None:
    mara, mara_edge = character("mara", **MARA)
    nodes = [mara, node("gen", "imageGenerator", prompt="never run"),
             node("rep", "personasReplacer", providerId="mistral", image=samples.data_url(SETTING)),
             node("out", "textOutput")]
    edges = [mara_edge, edge("gen", "rep"), edge("rep", "out")]
    cached = {"gen": NodeOutput(image=Image(UPSTREAM, "image/png"))}
    run = await run_flow(services, nodes, edges, trigger="rep", cached=cached)
    assert run.status("rep") is NodeStatus.COMPLETE and run.status("out") is NodeStatus.COMPLETE
    assert "gen" not in final_statuses(run.events)  # not re-run
    [received] = fake_openai.requests
    assert received.model == "pixtral-12b-2409"
    assert openai_images(received.messages[0]) == [UPSTREAM]
    assert run.output("out").text == run.output("rep").text


async def test_a_broken_cached_image_is_invalid_input(services: Services, fake_openai: FakeOpenAI) -> None:
    mara, mara_edge = character("mara", **MARA)
    nodes = [mara, node("gen", "imageGenerator"), node("rep", "personasReplacer", providerId="mistral")]
    cached = {"gen": NodeOutput(image=Image(samples.truncated(UPSTREAM, 0.6), "image/png"))}
    run = await run_flow(services, nodes, [mara_edge, edge("gen", "rep")], trigger="rep", cached=cached)
    final = run.final("rep")
    assert (final.status, final.reason) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT)
    assert final.message.startswith("upstream image: the PNG image is truncated or corrupt")
    assert fake_openai.requests == []


async def test_needs_a_persona_and_something_to_work_on(services: Services) -> None:
    mara, mara_edge = character("mara", **MARA)
    run = await run_flow(services, [node("lonely", "personasReplacer", image=samples.data_url(SETTING)),
                                    mara, node("rep", "personasReplacer")], [mara_edge])
    assert "connect a character node" in run.final("lonely").message
    assert "Nothing to replace in" in run.final("rep").message


async def test_dry_run_shows_the_swap_prompt(services: Services, fake_anthropic: FakeAnthropic) -> None:
    mara, mara_edge = character("mara", **MARA)
    nodes = [mara, node("scene", "sceneBuilder", lighting="neon"), node("rep", "personasReplacer")]
    run = await run_flow(services, nodes, [mara_edge, edge("scene", "rep")], dry_run=True)
    assert fake_anthropic.requests == []
    out = run.output("rep")
    assert out.dry_run and "## CHARACTER:\n### Mara" in out.text
    assert out.provider_calls[0].messages[0].content == out.text
