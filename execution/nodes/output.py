"""Output nodes: textOutput shows the merged upstream text."""

from __future__ import annotations

from typing import Any

from execution.context import NodeContext
from execution.nodes.inputs import merge_input_text
from execution.nodes.setting_types import NoSettings
from execution.nodes.spec import TEXT_IN, NodeFamily, NodeSpec
from execution.outputs import NodeOutput


async def text_output(ctx: NodeContext[NoSettings]) -> NodeOutput:
    return NodeOutput(text=merge_input_text(ctx.inputs))


TEXT_OUTPUT = NodeSpec(
    "textOutput", NodeFamily.OUTPUT, text_output, NoSettings,
    display_name="Text Output",
    description="Shows the merged upstream text.",
    inputs=(TEXT_IN,),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (TEXT_OUTPUT,)
