"""Dry run: no provider is called (no keys needed); every LLM node outputs the exact prompt it
would send plus the parameters, marked dry, and downstream nodes run on those outputs."""

from __future__ import annotations

from execution.events import NodeStatus
from execution.messages import ChatMessage
from execution.outputs import ProviderCall
from execution.personas import Persona
from execution.prompts.enhance import enhance_prompt
from execution.prompts.inject_persona import inject_persona_prompt
from execution.prompts.storyteller import storyteller_prompt
from execution.prompts.translate import translate_prompt
from execution.services import Services
from tests.builders import edge, node
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.run_flow import run_flow

NODES = [
    node("ana", "consistentCharacter", characterName="Ana", characterDescription="red hair"),
    node("p", "initialPrompt", text="Ana at the harbour"),
    node("e", "promptEnhancer", notes="cinematic"),
    node("t", "translator", language="fr"),
    node("same", "translator"),
    node("out", "textOutput"),
    node("s", "storyTeller", idea="a harbour at night", tags="noir", providerId="claude"),
]
EDGES = [edge("ana", "p", handle="adapter-persona"), edge("p", "e"), edge("e", "t"), edge("t", "out"),
         edge("e", "same")]


async def test_dry_run_without_any_key_shows_the_exact_prompts() -> None:
    services = Services()  # nothing configured at all
    run = await run_flow(services, NODES, EDGES, dry_run=True)
    assert all(run.status(n.id) is NodeStatus.COMPLETE for n in NODES)

    injected = inject_persona_prompt("Ana at the harbour", [Persona("Ana", "red hair")]).text
    enhanced = enhance_prompt(injected, "cinematic").text
    translated = translate_prompt(enhanced, "French").text
    assert run.output("p").provider_calls == (
        ProviderCall("mistral", "ministral-14b-2512", "inject-persona", (ChatMessage("user", injected),), 0.4, 2048),)
    assert run.output("e").provider_calls == (
        ProviderCall("mistral", "ministral-14b-2512", "enhance", (ChatMessage("user", enhanced),), 0.7, 2048),)
    assert run.output("t").provider_calls == (
        ProviderCall("mistral", "ministral-14b-2512", "translate", (ChatMessage("user", translated),), 0.3, 2048),)

    # Each dry output is its prompt; downstream nodes ran on it.
    for node_id, text in (("p", injected), ("e", enhanced), ("t", translated)):
        out = run.output(node_id)
        assert out.dry_run and out.text == text and run.deltas(node_id) == [text]
    assert run.output("out").text == translated
    # A pass-through of a dry output is still not a real result.
    assert run.output("same").dry_run and run.output("same").text == enhanced and run.output("same").provider_calls == ()

    [story_call] = run.output("s").provider_calls
    assert story_call == ProviderCall("claude", "claude-sonnet-5-5", "storyteller",
                                      (ChatMessage("user", storyteller_prompt("a harbour at night", "noir").text),),
                                      0.0, 2048)  # Claude Sonnet 5.5 takes no temperature


async def test_dry_run_never_touches_a_provider_even_with_keys(fake_openai: FakeOpenAI,
                                                               fake_anthropic: FakeAnthropic) -> None:
    async with text_services(fake_openai, fake_anthropic) as services:
        run = await run_flow(services, NODES, EDGES, dry_run=True)
    assert all(run.status(n.id) is NodeStatus.COMPLETE for n in NODES)
    assert fake_openai.requests == [] and fake_anthropic.requests == []


async def test_dry_run_output_of_a_node_that_calls_nothing_is_not_marked() -> None:
    run = await run_flow(Services(), [node("p", "initialPrompt", text="plain"), node("c", "compressor")],
                         [edge("p", "c")], dry_run=True)
    assert (run.output("p").dry_run, run.output("c").dry_run) == (False, False)
    assert run.output("c").text == "plain"
