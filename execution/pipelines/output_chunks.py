"""The seam for output chunks: a pipeline's last chunk may render media on ComfyUI instead of
calling an LLM (`backend_type: comfyui`: an API-format workflow, `input_mappings`,
`output_mapping`). The pipeline runner calls `run_output_chunk` with the chunk as loaded and the
run's placeholder values (PREVIOUS_OUTPUT holding the previous chunk's text); whatever it returns
(the image, its provider call records) becomes the node's output beside that text.

This build has no ComfyUI backend, so an output chunk fails its node NOT_CONFIGURED. The
ComfyUI branch (issue 14) provides `execution.nodes.comfyui.run_output_chunk(ctx, chunk, values,
step=…)` over `OutputChunk.parse`; wiring it in is this function's body:

    from execution.nodes.comfyui import chunk_values, run_output_chunk as run_on_comfyui
    chunk = OutputChunk.parse(chunk_def.data, what=f"chunk '{chunk_def.chunk_id}'")
    result = await run_on_comfyui(ctx, chunk, values, step=step)
    … the first file as the output image (ctx.services.images.processor.from_provider) …
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.context import NodeContext
from execution.errors import NotConfiguredError
from execution.outputs import NodeOutput
from execution.pipelines.model import Chunk


async def run_output_chunk(ctx: NodeContext[Any], chunk: Chunk, values: Mapping[str, str], *, step: str) -> NodeOutput:
    """Render `chunk` with `values`; the NodeOutput's image (and provider calls) are the node's."""
    raise NotConfiguredError(f"chunk '{chunk.chunk_id}' renders on ComfyUI (backend_type '{chunk.backend_type}'), "
                             "which this server does not run yet")
