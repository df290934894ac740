"""The six text executors (seed §5.2) on the real engine: the prompt each one sends, as the
fake provider receives it; pass-through cases; persona injection; model resolution."""

from __future__ import annotations

from execution.events import NodeStatus, StatusReason
from execution.messages import ChatMessage
from execution.outputs import ProviderCall
from execution.personas import Persona
from execution.prompts.compress import compress_prompt
from execution.prompts.enhance import enhance_prompt
from execution.prompts.grammar_fix import grammar_fix_prompt
from execution.prompts.inject_persona import inject_persona_prompt
from execution.prompts.storyteller import storyteller_prompt
from execution.prompts.translate import translate_prompt
from tests.builders import edge, node
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.run_flow import run_flow

ANA = node("ana", "consistentCharacter", characterName="Ana", characterDescription="red hair, green eyes")
ANA_PERSONA = [Persona("Ana", "red hair, green eyes")]

MARKERS = {"Translate the following": "TRANSLATED", "inject specific character": "INJECTED",
           "wildly creative storyteller": "STORY", "You are a proofreader": "FIXED",
           "Compress the following": "COMPRESSED", "enhance": "ENHANCED"}


def by_purpose(request: ReceivedRequest) -> Reply:
    word = next(reply for marker, reply in MARKERS.items() if marker in request.prompt)
    return Reply.text(f"{word} by {request.model}", pieces=4)


def adapter(source: str, target: str) -> object:
    return edge(source, target, handle="adapter-persona")


async def test_initial_prompt_without_personas_calls_nothing(fake_openai: FakeOpenAI) -> None:
    async with text_services(fake_openai) as services:
        run = await run_flow(services, [node("p", "initialPrompt", text="a lighthouse at dusk")], [])
    assert run.status("p") is NodeStatus.COMPLETE
    out = run.output("p")
    assert (out.text, out.provider_calls, out.dry_run) == ("a lighthouse at dusk", (), False)
    assert fake_openai.requests == []


async def test_initial_prompt_injects_adapter_personas(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    async with text_services(fake_openai) as services:
        run = await run_flow(services, [ANA, node("p", "initialPrompt", text="Ana reads by the sea")],
                             [adapter("ana", "p")])
    expected = inject_persona_prompt("Ana reads by the sea", ANA_PERSONA)
    [received] = fake_openai.requests
    assert received.messages == [{"role": "user", "content": expected.text}]
    assert received.path.startswith("/mistral/") and received.model == "ministral-14b-2512"
    out = run.output("p")
    assert out.text == "INJECTED by ministral-14b-2512" == "".join(run.deltas("p"))
    assert len(run.deltas("p")) == 4
    assert out.provider_calls == (ProviderCall("mistral", "ministral-14b-2512", "inject-persona",
                                               (ChatMessage("user", expected.text),), 0.4, 2048),)


async def test_prompt_enhancer_merges_inputs_and_sends_notes(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    nodes = [node("p", "initialPrompt", text="a cat"), node("s", "sceneBuilder", mood="epic"),
             node("e", "promptEnhancer", notes="make it noir")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "e"), edge("s", "e")])
    [received] = fake_openai.requests
    merged = "a cat\n\n" + run.output("s").text
    assert received.prompt == enhance_prompt(merged, "make it noir").text
    assert received.body["temperature"] == 0.7
    assert run.output("e").text == "ENHANCED by ministral-14b-2512" == "".join(run.deltas("e"))


async def test_prompt_enhancer_then_persona_injection_streams_only_the_final_step(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    nodes = [ANA, node("p", "initialPrompt", text="Ana by the sea"), node("e", "promptEnhancer")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "e"), adapter("ana", "e"), adapter("ana", "p")])
    prompts = [r.prompt for r in fake_openai.requests]
    assert prompts == [
        inject_persona_prompt("Ana by the sea", ANA_PERSONA).text,  # initialPrompt
        enhance_prompt("INJECTED by ministral-14b-2512").text,
        inject_persona_prompt("ENHANCED by ministral-14b-2512", ANA_PERSONA).text,
    ]
    out = run.output("e")
    assert [c.purpose for c in out.provider_calls] == ["enhance", "inject-persona"]
    assert out.text == "INJECTED by ministral-14b-2512" == "".join(run.deltas("e"))


async def test_translator_maps_language_codes_and_passes_through_without_one(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    nodes = [node("p", "initialPrompt", text="a quiet harbour"),
             node("fr", "translator", language="fr"), node("eu", "translator", language="Basque"),
             node("none", "translator")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "fr"), edge("p", "eu"), edge("p", "none")])
    prompts = sorted(r.prompt for r in fake_openai.requests)
    assert prompts == sorted([translate_prompt("a quiet harbour", "French").text,
                              translate_prompt("a quiet harbour", "Basque").text])
    assert run.output("fr").text == "TRANSLATED by ministral-14b-2512"
    assert run.output("none").text == "a quiet harbour" and run.output("none").provider_calls == ()


async def test_story_teller_uses_idea_tags_and_its_creative_model(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    nodes = [node("idea", "storyTeller", idea="a lost key", tags=["noir", " melancholic "]),
             node("p", "initialPrompt", text="upstream concept"),
             node("up", "storyTeller", idea="ignored when text is connected")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "up")])
    by_prompt = {r.prompt: r for r in fake_openai.requests}
    tagged = by_prompt[storyteller_prompt("a lost key", "noir, melancholic").text]
    upstream = by_prompt[storyteller_prompt("upstream concept").text]
    for received in (tagged, upstream):
        assert received.model == "labs-mistral-small-creative" and received.body["temperature"] == 0.95
    assert run.output("idea").text == "STORY by labs-mistral-small-creative"


async def test_story_teller_on_claude_sends_no_temperature(fake_anthropic: FakeAnthropic) -> None:
    async with text_services(anthropic=fake_anthropic) as services:
        run = await run_flow(services, [node("s", "storyTeller", idea="tides", providerId="claude")], [])
    [received] = fake_anthropic.requests
    assert "temperature" not in received.body and received.model == "claude-sonnet-5-5"
    assert received.prompt == storyteller_prompt("tides").text
    [call] = run.output("s").provider_calls
    assert (call.provider_id, call.temperature, call.max_tokens) == ("claude", 0.0, 2048)
    assert run.output("s").text == "".join(run.deltas("s")) == "[claude-sonnet-5-5] reply"


async def test_story_teller_on_claude_4_6_keeps_its_temperature(fake_anthropic: FakeAnthropic) -> None:
    async with text_services(anthropic=fake_anthropic) as services:
        run = await run_flow(services, [node("s", "storyTeller", idea="tides", providerId="claude",
                                              model="claude-sonnet-4-6")], [])
    [received] = fake_anthropic.requests
    assert (received.body["temperature"], received.headers["anthropic-version"]) == (0.95, "2023-06-01")
    [call] = run.output("s").provider_calls
    assert (call.model, call.temperature, call.max_tokens) == ("claude-sonnet-4-6", 0.95, 2048)
    assert run.output("s").text == "".join(run.deltas("s")) == "[claude-sonnet-4-6] reply"


async def test_grammar_fix_with_style_and_without_input(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    nodes = [node("p", "initialPrompt", text="i has went home"), node("g", "grammarFix", style="formal"),
             node("lonely", "grammarFix")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "g")])
    [received] = fake_openai.requests
    assert received.prompt == grammar_fix_prompt("i has went home", "formal").text
    assert run.output("g").text == "FIXED by ministral-14b-2512"
    lonely = run.final("lonely")
    assert (lonely.status, lonely.reason) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT)
    assert "connect a node that produces text" in lonely.message


async def test_compressor_passes_short_text_and_compresses_long_text(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_purpose
    long_text = "word " * 520  # 2600 characters
    nodes = [node("short", "initialPrompt", text="tiny"), node("long", "initialPrompt", text=long_text),
             node("c1", "compressor"), node("c2", "compressor")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("short", "c1"), edge("long", "c2")])
    assert run.output("c1").text == "tiny" and run.output("c1").provider_calls == ()
    [received] = fake_openai.requests
    assert received.prompt == compress_prompt(long_text.strip()).text
    assert run.output("c2").text == "COMPRESSED by ministral-14b-2512"


async def test_model_resolution_reaches_the_provider(fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic) -> None:
    nodes = [node("p", "initialPrompt", text="x"),
             node("glm", "translator", language="de", providerId="glm"),
             node("model", "translator", language="de", model="mistral-large-latest"),
             node("both", "translator", language="de", providerId="openrouter", model="meta/llama"),
             node("claude", "translator", language="de", providerId="claude"),
             node("nope", "translator", language="de", providerId="nope")]
    async with text_services(fake_openai, fake_anthropic) as services:
        run = await run_flow(services, nodes, [edge("p", n.id) for n in nodes[1:]])
    seen = {(r.path.split("/")[1], r.model) for r in fake_openai.requests}
    assert seen == {("glm", "glm-4.7"), ("mistral", "mistral-large-latest"), ("openrouter", "meta/llama")}
    assert [r.model for r in fake_anthropic.requests] == ["claude-sonnet-5-5"]
    assert run.output("claude").provider_calls[0].provider_id == "claude"
    nope = run.final("nope")
    assert nope.reason is StatusReason.INVALID_INPUT and "Unknown text provider 'nope'" in nope.message
