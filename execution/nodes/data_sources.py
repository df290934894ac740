"""Data-source nodes (seed §5.1): no provider calls, settings in → output out."""

from __future__ import annotations

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.inputs import setting
from execution.outputs import NodeOutput
from execution.prompts.scene_blocks import compose_scene_prompt
from execution.registry import ExecutorSpec, NodeCategory


async def consistent_character(ctx: NodeContext) -> NodeOutput:
    description = setting(ctx.data, "characterDescription")
    name = setting(ctx.data, "characterName")
    if not description:
        raise InvalidNodeInput("No character selected")
    return NodeOutput(text=description, persona_description=description, persona_name=name)


async def scene_builder(ctx: NodeContext) -> NodeOutput:
    return NodeOutput(text=compose_scene_prompt(ctx.data))


EXECUTORS = [
    ExecutorSpec("consistentCharacter", consistent_character, NodeCategory.DATA_SOURCE,
                 "A saved character: its description as text and as a persona for adapter edges."),
    ExecutorSpec("sceneBuilder", scene_builder, NodeCategory.DATA_SOURCE,
                 "Scene settings (style, lighting, time, weather, angle, lens, mood) composed into a prompt."),
]
