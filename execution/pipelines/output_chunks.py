"""Output chunks: a pipeline's last chunk may render media on ComfyUI instead of calling an LLM
(`backend_type: comfyui`: an API-format `workflow`, `input_mappings`, `output_mapping`; see
execution.providers.image_vendors.comfyui.chunk). It runs through the `comfyuiWorkflow` node's
own path (execution.nodes.comfyui.render_chunk): mappings checked before anything is sent,
ComfyUI's progress as the node's NodeProgress events, the image returned as bytes, cancelling
the node interrupting the prompt, a prompt id per run, node, attempt and chunk.

The chunk receives the run's placeholder values its mappings' `source` names — PREVIOUS_OUTPUT
(the previous chunk's text), INPUT_TEXT, a node placeholder — and nothing else (the chunk
refuses a value that names none of its mappings or placeholders); every other mapping keeps its
`default` or the workflow's own value (the node's placeholders are text, and a workflow's
width or seed must stay a number).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.context import NodeContext
from execution.nodes.comfyui import render_chunk
from execution.outputs import NodeOutput
from execution.pipelines.model import Chunk


async def run_output_chunk(ctx: NodeContext[Any], chunk: Chunk, values: Mapping[str, str], *, step: str) -> NodeOutput:
    """Render `chunk` with the `values` it uses; the NodeOutput's image (and provider calls) are the node's."""
    parsed = chunk.output_chunk()
    used = parsed.placeholders
    return await render_chunk(ctx, parsed, {k: v for k, v in values.items() if k in used}, step=step)
