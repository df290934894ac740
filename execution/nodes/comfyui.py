"""comfyuiWorkflow: runs a seed 002 output chunk (a ComfyUI workflow with input mappings) on
ComfyUI, and `run_output_chunk`, the function seed 002 pipelines call for their output chunks.

- Settings: `chunk` — the output chunk, an object or its JSON text (see
  providers/image_vendors/comfyui/chunk.py); `values` — placeholder values by mapping name
  (`width`) or placeholder name (`PREVIOUS_OUTPUT`). The upstream text fills `PREVIOUS_OUTPUT`
  and `INPUT_TEXT` when the chunk uses them and `values` does not set them.
- A chunk whose mapping names a node or input the workflow lacks, a value that names no
  mapping, or a placeholder without a value fails the node INVALID_INPUT naming it, before
  anything is sent.
- Output: the first image of the chunk's output node (normalised like every generated image),
  with the upstream text. While ComfyUI samples, the node reports NodeProgress events.
- Dry run: nothing is sent; the ProviderCall shows the workflow as it would be submitted.
- Cancelling the node interrupts the prompt on ComfyUI, or takes it out of its queue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from pydantic import Field, PlainValidator, WithJsonSchema

from execution.context import NodeContext
from execution.errors import InvalidNodeInput, NotConfiguredError
from execution.images import NODE_OUTPUT
from execution.messages import ChatMessage
from execution.nodes.inputs import merge_input_text
from execution.nodes.jobs import generation_job
from execution.nodes.setting_types import NodeSettings, must
from execution.nodes.spec import IMAGE_OUT, TEXT_IN, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import NodeOutput, ProviderCall
from execution.providers.image_vendors.comfyui.chunk import OutputChunk
from execution.providers.image_vendors.comfyui.provider import ComfyUiImages
from execution.providers.image_vendors.comfyui.runner import ComfyResult
from execution.services import Services

UPSTREAM_PLACEHOLDERS = ("PREVIOUS_OUTPUT", "INPUT_TEXT")


def _chunk(value: Any) -> OutputChunk:
    if value is None or value == "":
        raise ValueError("is required: an output chunk (workflow, input_mappings, output_mapping)")
    if isinstance(value, OutputChunk):
        return value
    try:
        return OutputChunk.parse(value)
    except InvalidNodeInput as exc:
        raise ValueError(f"is not usable: {exc.message}") from None


ChunkSetting = Annotated[OutputChunk, PlainValidator(_chunk), WithJsonSchema(
    {"type": "object", "description": "A seed 002 output chunk: workflow, input_mappings, output_mapping"})]


class ComfyWorkflowSettings(NodeSettings):
    chunk: ChunkSetting = Field(default=None, validate_default=True)
    values: Annotated[dict[str, Any], must(lambda v: isinstance(v, dict), "must be an object (name → value)")] = Field(
        default_factory=dict)


def comfyui_vendor(services: Services) -> ComfyUiImages:
    vendor = services.images.providers.generators.get("comfyui")
    if not isinstance(vendor, ComfyUiImages):
        raise NotConfiguredError("ComfyUI is not available in this server")
    return vendor


async def run_output_chunk(ctx: NodeContext[Any], chunk: OutputChunk, values: Mapping[str, Any], *,
                           step: str = "") -> ComfyResult:
    """Run `chunk` with `values` on ComfyUI for this node (`step` names the chunk among several
    a node runs: each gets its own idempotent prompt id); its files as bytes. The node reports
    ComfyUI's progress meanwhile."""
    return await comfyui_vendor(ctx.services).run_chunk(chunk, values, generation_job(ctx, step))


def chunk_values(chunk: OutputChunk, values: Mapping[str, Any], upstream: str) -> dict[str, Any]:
    """`values`, with the upstream text for the upstream placeholders the chunk uses and `values` leaves unset."""
    filled = {name: upstream for name in UPSTREAM_PLACEHOLDERS if name in chunk.placeholders and upstream}
    return {**filled, **values}


async def render_chunk(ctx: NodeContext[Any], chunk: OutputChunk, values: Mapping[str, Any], *,
                       step: str = "") -> NodeOutput:
    """`chunk` planned with `values` (every mapping and value checked before anything is sent),
    then run on ComfyUI unless the run is dry: an output with the first image (normalised like
    every generated image) and the submitted workflow as its ProviderCall, and no text. Also
    what a seed 002 pipeline's output chunk runs (execution.pipelines.output_chunks)."""
    if chunk.output is not None and chunk.output.output_type != "image":
        raise InvalidNodeInput(f"chunk '{chunk.name}' outputs {chunk.output.output_type}; only images are supported")
    vendor = comfyui_vendor(ctx.services)
    planned = vendor.plan_chunk(chunk, values)
    call = ProviderCall(planned.provider_id, chunk.name, "comfyui-workflow",
                        (ChatMessage("user", json.dumps(planned.body["prompt"], ensure_ascii=False)),))
    if ctx.dry_run:
        return NodeOutput(dry_run=True, provider_calls=(call,))
    result = await run_output_chunk(ctx, chunk, values, step=step)
    prepared = await ctx.services.images.processor.from_provider(result.files[0].data, NODE_OUTPUT,
                                                                 provider=planned.provider_id)
    return NodeOutput(image=prepared.image, provider_calls=(call,))


async def comfyui_workflow(ctx: NodeContext[ComfyWorkflowSettings]) -> NodeOutput:
    chunk = ctx.settings.chunk
    upstream = merge_input_text(ctx.inputs)
    rendered = await render_chunk(ctx, chunk, chunk_values(chunk, ctx.settings.values, upstream))
    return replace(rendered, text=upstream)


COMFYUI_WORKFLOW = NodeSpec(
    "comfyuiWorkflow", NodeFamily.IMAGE, comfyui_workflow, ComfyWorkflowSettings,
    display_name="ComfyUI Workflow",
    description="Runs a ComfyUI workflow (an output chunk with input mappings) on the configured ComfyUI server.",
    inputs=(TEXT_IN,), outputs=(IMAGE_OUT, TEXT_OUT), calls_provider=True,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (COMFYUI_WORKFLOW,)
