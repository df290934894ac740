"""Data-source and output nodes, input helpers, languages and model resolution."""

from __future__ import annotations

from execution.engine import Engine
from execution.events import NodeOutputProduced, NodeStatus, NodeStatusChanged, StatusReason
from execution.model_resolution import ModelChoice, ModelSource, ResolvedModel, resolve_model
from execution.nodes.builtin import builtin_registry
from execution.nodes.inputs import extract_personas, merge_input_text
from execution.nodes.languages import LANGUAGE_NAMES, language_name
from execution.outputs import NodeOutput
from execution.prompts.scene_blocks import SCENE_KEYS, SCENE_PROMPT_BLOCKS, compose_scene_prompt
from tests.builders import edge, flow, node
from tests.statuses import final_statuses


async def outputs_of(request) -> tuple[dict[str, NodeOutput], dict[str, NodeStatusChanged]]:
    events = await Engine(builtin_registry()).run(request)
    outputs = {e.body.node_id: e.body.output for e in events if isinstance(e.body, NodeOutputProduced)}
    final = final_statuses(events)
    return outputs, final


async def test_character_and_scene_flow_into_text_output() -> None:
    request = flow(
        [node("c", "consistentCharacter", characterName="Mara", characterDescription="copper braid"),
         node("s", "sceneBuilder", lighting="neon", mood="Serene", weather="none"),
         node("o", "textOutput")],
        [edge("c", "o"), edge("s", "o")],
    )
    outputs, _ = await outputs_of(request)
    assert outputs["c"].persona_name == "Mara" and outputs["c"].persona_description == "copper braid"
    neon = SCENE_PROMPT_BLOCKS["lighting"]["neon"]
    serene = SCENE_PROMPT_BLOCKS["mood"]["serene"]
    assert outputs["s"].text == f"{neon}\n\n{serene}"
    assert outputs["o"].text == f"copper braid\n\n{neon}\n\n{serene}"


async def test_character_without_selection_errors() -> None:
    _, final = await outputs_of(flow([node("c", "consistentCharacter")], []))
    assert final["c"].status is NodeStatus.ERROR
    assert final["c"].reason is StatusReason.INVALID_INPUT and final["c"].message == "No character selected"


def test_scene_blocks_cover_every_key_with_enough_blocks() -> None:
    assert set(SCENE_PROMPT_BLOCKS) == set(SCENE_KEYS)
    assert sum(len(v) for v in SCENE_PROMPT_BLOCKS.values()) >= 50
    assert all(len(v) >= 5 for v in SCENE_PROMPT_BLOCKS.values())
    assert all(text.endswith(".") and len(text) > 30 for v in SCENE_PROMPT_BLOCKS.values() for text in v.values())


def test_scene_values_are_normalised_and_unknown_values_kept() -> None:
    assert compose_scene_prompt({"timeOfDay": "Golden Hour"}) == "Time of day: Golden Hour."
    assert compose_scene_prompt({"lighting": "golden_hour"}) == SCENE_PROMPT_BLOCKS["lighting"]["golden-hour"]
    assert compose_scene_prompt({"mood": "", "imageStyle": 3}) == ""


def test_merge_input_text_one_text_per_input_in_order() -> None:
    inputs = [NodeOutput(text="one"), NodeOutput(), NodeOutput(persona_description="p", persona_name="n"),
              NodeOutput(injected_prompt="inj"), NodeOutput(replace_prompt="rep", text="")]
    assert merge_input_text(inputs) == "one\n\np\n\ninj\n\nrep"


def test_extract_personas() -> None:
    personas = extract_personas([NodeOutput(text="t"), NodeOutput(persona_name="Ana", persona_description="tall")])
    assert [(p.name, p.description) for p in personas] == [("Ana", "tall")]


def test_language_names() -> None:
    assert len(LANGUAGE_NAMES) == 28
    assert language_name("fr") == "French" and language_name(" JA ") == "Japanese"
    assert language_name("Basque") == "Basque"


def test_model_resolution_chain() -> None:
    registry = builtin_registry()

    def resolve(node_type: str, data: dict[str, str], flow_provider: str) -> ResolvedModel:
        spec = registry.get(node_type)
        assert spec is not None
        return resolve_model(spec.default_model, data, flow_provider)

    override = resolve("promptEnhancer", {"providerId": "glm", "model": "glm-4.7"}, "openrouter")
    assert (override.provider_id, override.model, override.source) == ("glm", "glm-4.7", ModelSource.NODE)
    default = resolve("storyTeller", {}, "openrouter")
    assert (default.provider_id, default.model, default.source) == (
        "mistral", "labs-mistral-small-creative", ModelSource.TYPE_DEFAULT)
    model_only = resolve("translator", {"model": "mistral-large"}, "glm")
    assert (model_only.provider_id, model_only.model) == ("mistral", "mistral-large")
    flow_level = resolve("imageGenerator", {}, "huggingface")
    assert (flow_level.provider_id, flow_level.model, flow_level.source) == ("huggingface", "", ModelSource.FLOW)
    assert resolve("imageDescriber", {}, "mistral").provider_id == "claude"
    # The defaults that used to be a table of node-type names, now on each spec.
    defaults = {spec.node_type: spec.default_model for spec in registry if spec.default_model is not None}
    assert defaults == {
        **dict.fromkeys(["grammarFix", "compressor", "promptEnhancer", "initialPrompt", "translator"],
                        ModelChoice("mistral", "ministral-14b-2512")),
        "storyTeller": ModelChoice("mistral", "labs-mistral-small-creative"),
        "imageDescriber": ModelChoice("claude"),
        "personasReplacer": ModelChoice("claude"),
        # Seed 004's AI elements run on Bedrock unless the node names a provider.
        "llm_text": ModelChoice("bedrock"),
        "llm_structured": ModelChoice("bedrock"),
    }
    seed_spelling = resolve("llm_text", {"provider_id": "mistral"}, "glm")
    assert (seed_spelling.provider_id, seed_spelling.source) == ("mistral", ModelSource.NODE)
