"""Data-source nodes: no provider calls, settings in → output out.

- consistentCharacter: a saved character; its description is the node's text and, on adapter
  edges, a persona.
- sceneBuilder: seven scene dropdowns, each value composed into a prompt block.
"""

from __future__ import annotations

from typing import Annotated, Any

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.setting_types import NodeSettings, Options, RawText, Text
from execution.nodes.spec import PERSONA_OUT, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.prompts.scene_blocks import SCENE_PROMPT_BLOCKS, compose_scene_prompt


class CharacterSettings(NodeSettings):
    character_name: Text = ""
    character_description: Text = ""


async def consistent_character(ctx: NodeContext[CharacterSettings]) -> NodeOutput:
    description, name = ctx.settings.character_description, ctx.settings.character_name
    if not description:
        raise InvalidNodeInput("No character selected")
    return NodeOutput(text=description, persona_description=description, persona_name=name)


def _scene_options(key: str) -> Options:
    # Open: a value without a block is kept as a plain phrase (an editor option newer than this server).
    return Options(tuple(SCENE_PROMPT_BLOCKS[key]), open=True)


class SceneSettings(NodeSettings):
    # Given as the editor sends them; compose_scene_prompt normalises ("Golden Hour" → golden-hour).
    image_style: Annotated[RawText, _scene_options("imageStyle")] = ""
    lighting: Annotated[RawText, _scene_options("lighting")] = ""
    time_of_day: Annotated[RawText, _scene_options("timeOfDay")] = ""
    weather: Annotated[RawText, _scene_options("weather")] = ""
    camera_angle: Annotated[RawText, _scene_options("cameraAngle")] = ""
    camera_lens: Annotated[RawText, _scene_options("cameraLens")] = ""
    mood: Annotated[RawText, _scene_options("mood")] = ""


async def scene_builder(ctx: NodeContext[SceneSettings]) -> NodeOutput:
    return NodeOutput(text=compose_scene_prompt(ctx.settings.model_dump(by_alias=True)))


CONSISTENT_CHARACTER = NodeSpec(
    "consistentCharacter", NodeFamily.DATA_SOURCE, consistent_character, CharacterSettings,
    display_name="Consistent Character",
    description="A saved character: its description as text and as a persona for adapter edges.",
    outputs=(TEXT_OUT, PERSONA_OUT),
)
SCENE_BUILDER = NodeSpec(
    "sceneBuilder", NodeFamily.DATA_SOURCE, scene_builder, SceneSettings,
    display_name="Scene Builder",
    description="Scene settings (style, lighting, time, weather, angle, lens, mood) composed into a prompt.",
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (CONSISTENT_CHARACTER, SCENE_BUILDER)
