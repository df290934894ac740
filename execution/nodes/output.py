"""Output nodes (seed §5.4)."""

from __future__ import annotations

from execution.context import NodeContext
from execution.nodes.inputs import merge_input_text
from execution.outputs import NodeOutput
from execution.registry import ExecutorSpec, NodeCategory


async def text_output(ctx: NodeContext) -> NodeOutput:
    return NodeOutput(text=merge_input_text(ctx.inputs))


EXECUTORS = [
    ExecutorSpec("textOutput", text_output, NodeCategory.OUTPUT, "Shows the merged upstream text."),
]
