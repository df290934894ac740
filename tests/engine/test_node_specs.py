"""A node type owns what is true of it: the registry refuses a type twice, a spec's default
model is the one its nodes run with, its settings record is parsed for every run of a node (a
bad value fails the node, naming the setting), and its record lists its fields for a catalogue."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execution.events import NodeStatus, StatusReason
from execution.graph.model import Edge, Node
from execution.model_resolution import ModelChoice
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.nodes.text.executors import TRANSLATOR, TranslatorSettings
from execution.services import Services
from tests.builders import edge, node
from tests.run_flow import Run, run_flow


async def dry_run(registry: NodeRegistry, nodes: list[Node], edges: list[Edge], provider_id: str = "mistral") -> Run:
    return await run_flow(Services(), nodes, edges, dry_run=True, provider_id=provider_id, registry=registry)


def test_the_registry_refuses_a_node_type_listed_twice() -> None:
    with pytest.raises(ValueError, match="node type 'translator' is registered twice"):
        builtin_registry().extended([replace(TRANSLATOR, description="a second translator")])


async def test_a_specs_default_model_is_the_one_its_nodes_run_with() -> None:
    """The flow says openrouter: a type with a default model calls that model, a type without
    one follows the flow (dry run: each ProviderCall shows where the call would go)."""
    registry = builtin_registry().extended([
        replace(TRANSLATOR, node_type="glmTranslator", default_model=ModelChoice("glm", "glm-4.7")),
        replace(TRANSLATOR, node_type="plainTranslator", default_model=None),
    ])
    nodes = [node("idea", "initialPrompt", text="a lighthouse"), node("story", "storyTeller"),
             node("glm", "glmTranslator", language="fr"), node("plain", "plainTranslator", language="fr")]
    run = await dry_run(registry, nodes, [edge("idea", "story"), edge("idea", "glm"), edge("idea", "plain")],
                        provider_id="openrouter")
    calls = {n: [(c.provider_id, c.model) for c in run.output(n).provider_calls] for n in ("story", "glm", "plain")}
    assert calls["story"] == [("mistral", "labs-mistral-small-creative")]
    assert calls["glm"] == [("glm", "glm-4.7")]
    assert [provider for provider, _ in calls["plain"]] == ["openrouter"]


async def test_a_bad_setting_fails_its_node_naming_the_setting() -> None:
    nodes = [node("gen", "imageGenerator", prompt="a fox", width="wide"), node("out", "textOutput"),
             node("story", "storyTeller", idea="a fox", tags=["noir", 3, " ", "dusk"])]
    run = await dry_run(builtin_registry(), nodes, [edge("gen", "out")])
    gen = run.final("gen")
    assert (gen.status, gen.reason, gen.message) == (
        NodeStatus.ERROR, StatusReason.INVALID_INPUT, "'width' must be a number, not 'wide'")
    assert run.final("out").reason is StatusReason.UPSTREAM_FAILED
    # Lenient settings stay lenient: a list of tags keeps its strings; a number is no language.
    assert "STYLE TAGS: noir, dusk" in run.output("story").text
    assert TRANSLATOR.parse_settings({"language": 3}) == TranslatorSettings()


async def test_empty_settings_that_do_not_fit_still_fail() -> None:
    """diag.stream needs `chunks`: empty settings are parsed too, not skipped as "nothing to read"."""
    run = await dry_run(builtin_registry(diagnostic_nodes=True), [node("s", "diag.stream")], [])
    assert (run.final("s").reason, run.final("s").message) == (
        StatusReason.INVALID_INPUT, "'chunks' must be a list of strings")


def test_a_settings_record_lists_its_fields_for_a_catalogue() -> None:
    """What a node-type catalogue will list, read from the specs alone: names as the editor
    spells them, defaults, ranges, and the options the editor offers."""
    def fields(node_type: str) -> dict[str, dict]:
        spec = builtin_registry().get(node_type)
        assert spec is not None
        return spec.settings.model_json_schema(by_alias=True)["properties"]

    scene = fields("sceneBuilder")
    assert list(scene) == ["imageStyle", "lighting", "timeOfDay", "weather", "cameraAngle", "cameraLens", "mood"]
    assert "golden-hour" in scene["lighting"]["examples"] and scene["lighting"]["default"] == ""
    generator = fields("imageGenerator")
    assert {"minimum": 64, "maximum": 4096, "type": "integer"} in generator["width"]["anyOf"]
    assert {"negativePrompt", "providerId", "model"} <= set(generator)
    assert "fr" in fields("translator")["language"]["examples"]
