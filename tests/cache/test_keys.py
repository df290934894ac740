"""What a key is made of: canonical JSON (never pickle), the node type's version and prompt data,
and the digests of its inputs — images by their bytes."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from dataclasses import replace
from types import ModuleType

import pytest

import execution.prompts
from execution.cache.canonical import canonical, digest, dumps
from execution.cache.key import OutputDigests, node_key, output_digest
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.nodes.text.executors import PROMPT_ENHANCER, TRANSLATOR
from execution.outputs import Image, NodeOutput
from execution.prompts import enhance
from execution.prompts.template import PromptTemplate
from execution.services import Services
from tests.builders import edge, node
from tests.cache.flows import LLM_NODES, by_prompt, cached, cached_engine, run, ten_node_flow
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.images import samples
from tests.run_flow import run_flow


def test_canonical_json_is_one_spelling_of_a_value() -> None:
    assert dumps(canonical({"b": [1, 0.1, None], "a": "é"})) == '{"a":"é","b":[1,0.1,null]}'
    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest({"x": 1.0}) != digest({"x": 1})  # 1.0 and 1 are different settings
    with pytest.raises(ValueError):
        digest({"x": float("nan")})
    long = "x" * 5000  # a data URL in a setting enters as its digest, not as 5 KB of JSON
    assert canonical(long) == {"sha256": hashlib.sha256(long.encode()).hexdigest()}


def test_an_output_digest_reads_what_dependents_read() -> None:
    png, other = samples.solid((8, 8)), samples.solid((8, 8), color=(0, 0, 255))
    base = NodeOutput(text="a fox", image=Image(png, "image/png"))
    assert output_digest(base) != output_digest(replace(base, image=Image(other, "image/png")))  # image bytes
    assert output_digest(base) != output_digest(replace(base, text="a fox."))
    assert output_digest(base) != output_digest(replace(base, persona_name="Ana"))
    # Not how it was made: timing, flags, call records, the seed.
    assert output_digest(base) == output_digest(replace(base, duration_ms=9, cached=True, seed=3))
    # Named values (issue 13): same text, another value or route — another digest.
    routed = replace(base, values={"yes": 5.0})
    assert output_digest(routed) != output_digest(base)
    assert output_digest(routed) != output_digest(replace(base, values={"no": 5.0}))
    assert output_digest(routed) != output_digest(replace(base, values={"yes": "5"}))


def test_a_key_says_which_value_fills_which_named_input() -> None:
    parts = {"scope": ["shared"], "fingerprint": "f", "settings": TRANSLATOR.parse_settings({}), "call": None,
             "inputs": [], "adapters": [], "digests": OutputDigests()}
    assert node_key(**parts, values={"a": "x", "b": "y"}) != node_key(**parts, values={"a": "y", "b": "x"})
    assert node_key(**parts, values={}) == node_key(**parts)  # a node without named inputs keeps its key


def test_a_node_types_fingerprint_follows_its_version_and_its_prompt_text(monkeypatch: pytest.MonkeyPatch) -> None:
    assert replace(TRANSLATOR, version=2).cache_fingerprint != TRANSLATOR.cache_fingerprint
    # An edited template, with the version left as it was, is a new fingerprint all the same.
    edited = replace(enhance.ENHANCE_WITH_NOTES, text=enhance.ENHANCE_WITH_NOTES.text + "\nBe brief.")
    monkeypatch.setattr(enhance, "ENHANCE_WITH_NOTES", edited)
    text_edited = replace(PROMPT_ENHANCER).cache_fingerprint  # a spec built after the edit
    assert text_edited != PROMPT_ENHANCER.cache_fingerprint
    # A parameter a template is sent with, too.
    monkeypatch.setattr(enhance, "ENHANCE_WITH_NOTES", replace(edited, temperature=0.2))
    assert replace(PROMPT_ENHANCER).cache_fingerprint not in (text_edited, PROMPT_ENHANCER.cache_fingerprint)


async def test_a_new_version_of_a_node_type_misses_its_old_entries(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = by_prompt
    nodes, edges = ten_node_flow()
    async with text_services(fake_openai) as services:
        engine = cached_engine(services)
        await run(engine, nodes, edges)
        # The same node types, translator at version 2, on the same cache.
        engine.registry = NodeRegistry(replace(s, version=2) if s.node_type == "translator" else s
                                       for s in builtin_registry())
        result = await run(engine, nodes, edges)
    assert {n for n, c in cached(result, LLM_NODES).items() if not c} == {"t1", "t2", "t3"}


def _prompt_modules() -> dict[str, ModuleType]:
    modules = {}
    for info in pkgutil.iter_modules(execution.prompts.__path__):
        module = importlib.import_module(f"execution.prompts.{info.name}")
        if any(isinstance(v, PromptTemplate) for v in vars(module).values()):
            modules[module.__name__] = module
    return modules


def _purposes(module: ModuleType) -> set[str]:
    return {v.purpose for v in vars(module).values() if isinstance(v, PromptTemplate)}


async def test_every_prompt_a_cached_node_sends_comes_from_a_module_its_spec_declares() -> None:
    """The guard on `NodeSpec.prompts`: a dry run of every cached node type (every variant that
    renders a prompt), and each call's purpose must be one of the declared modules' templates —
    a template used but not declared would leave its edits out of the key."""
    png = samples.data_url(samples.solid((32, 32)))
    ana = node("ana", "consistentCharacter", characterName="Ana", characterDescription="red hair")
    nodes = [
        ana, node("p", "initialPrompt", text="Ana by the sea"), node("long", "initialPrompt", text="word " * 700),
        node("e", "promptEnhancer", notes="noir"), node("e0", "promptEnhancer"), node("t", "translator", language="fr"),
        node("s", "storyTeller", tags="dark"), node("g", "grammarFix", style="formal"), node("g0", "grammarFix"),
        node("c", "compressor"),
        node("d", "imageDescriber", image=png, personaImage=png), node("d1", "imageDescriber", image=png,
                                                                        providerId="mistral"),
        node("d2", "imageDescriber", image=png, imageType="persona", notes="x"),
        node("r", "personasReplacer"), node("r2", "personasReplacer", image=png),
    ]
    adapters = [edge("ana", n, handle="adapter-persona") for n in ("p", "e", "s", "r", "r2")]
    edges = [*adapters, edge("p", "e"), edge("p", "e0"), edge("p", "t"), edge("p", "s"), edge("p", "g"),
             edge("p", "g0"), edge("long", "c"), edge("p", "r")]
    result = await run_flow(Services(), nodes, edges, dry_run=True)
    registry, modules = builtin_registry(), _prompt_modules()
    declared_anywhere: set[str] = set()
    for n in nodes:
        spec = registry.get(n.type)
        assert spec is not None
        declared = {m.__name__ for m in spec.prompts}
        declared_anywhere |= declared
        for call in result.output(n.id).provider_calls:
            defining = {name for name, m in modules.items() if call.purpose in _purposes(m)}
            assert spec.cache_policy is not None, f"{n.type} sends prompts and has no cache policy"
            assert defining & declared, f"{n.type} sends a '{call.purpose}' prompt from {defining}; it declares {declared}"
    assert set(modules) <= declared_anywhere, f"prompt modules no node type declares: {set(modules) - declared_anywhere}"
