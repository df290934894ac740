"""A node type owns what is true of it: the registry refuses a type twice, a spec's default
model is the one its nodes run with, its settings record is parsed for every run of a node (a
bad value refuses the request before the run, naming node and setting), and its record lists its
fields for the catalogue."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execution.engine import Engine
from execution.errors import GraphValidationError
from execution.events import NodeStatus
from execution.graph.model import Edge, Node
from execution.model_resolution import ModelChoice
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.nodes.text.executors import TRANSLATOR, TranslatorSettings
from execution.services import Services
from tests.builders import edge, flow, node
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


def test_a_bad_setting_refuses_the_request_naming_node_and_setting() -> None:
    """Before the run, every culprit: a word where a number goes, a number among text tags."""
    nodes = [node("gen", "imageGenerator", prompt="a fox", width="wide"), node("out", "textOutput"),
             node("story", "storyTeller", idea="a fox", tags=["noir", 3, " ", "dusk"])]
    with pytest.raises(GraphValidationError) as info:
        Engine(builtin_registry()).prepare(flow(nodes, [edge("gen", "out")]))
    assert [(v.field, v.description) for v in info.value.violations] == [
        ("nodes[0].data.width", "node 'gen' (imageGenerator): 'width' must be a number, not 'wide'"),
        ("nodes[2].data.tags", "node 'story' (storyTeller): 'tags' must be text or a list of texts"),
    ]


async def test_lenient_settings_stay_lenient() -> None:
    """Null is "not set", blank tags are dropped, numbers may be numeric strings, unknown keys are
    ignored (the editor keeps layout and UI state in `data`)."""
    nodes = [node("story", "storyTeller", idea="a fox", tags=["noir", " ", "dusk"], style=None, label="Story",
                  position={"x": 3}),
             node("gen", "imageGenerator", prompt="a fox", width="512", seed=None)]
    run = await dry_run(builtin_registry(), nodes, [])
    assert "STYLE TAGS: noir, dusk" in run.output("story").text
    assert run.status("gen") is NodeStatus.COMPLETE
    assert TRANSLATOR.parse_settings({"language": None}) == TranslatorSettings()


def test_empty_settings_that_do_not_fit_still_fail() -> None:
    """diag.stream needs `chunks`: empty settings are parsed too, not skipped as "nothing to read"."""
    with pytest.raises(GraphValidationError) as info:
        Engine(builtin_registry(diagnostic_nodes=True)).prepare(flow([node("s", "diag.stream")], []))
    assert [(v.field, v.description) for v in info.value.violations] == [
        ("nodes[0].data.chunks", "node 's' (diag.stream): 'chunks' must be a list of strings")]


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
