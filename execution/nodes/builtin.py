"""The node types flowexec ships, assembled from each node family's explicit `NODE_SPECS`.

A family module holds its node types whole (settings records, executors, specs); listing its
`NODE_SPECS` here is the one line that makes the server run them.
"""

from __future__ import annotations

from execution.nodes import (
    ai,
    aptos,
    comfyui,
    custom_code,
    custom_script,
    data_sources,
    diagnostics,
    flow_control,
    image,
    image_batch,
    input_handling,
    llm_action,
    output,
    pipeline,
    text,
    utility,
)
from execution.nodes.registry import NodeRegistry


def builtin_registry(*, diagnostic_nodes: bool = False) -> NodeRegistry:
    specs = [*data_sources.NODE_SPECS, *text.NODE_SPECS, *image.NODE_SPECS, *comfyui.NODE_SPECS, *output.NODE_SPECS,
             *pipeline.NODE_SPECS, *flow_control.NODE_SPECS, *input_handling.NODE_SPECS, *utility.NODE_SPECS,
             *ai.NODE_SPECS, *custom_code.NODE_SPECS, *aptos.NODE_SPECS,
             # Seed 003's step types.
             *llm_action.NODE_SPECS, *custom_script.NODE_SPECS, *image_batch.NODE_SPECS]
    if diagnostic_nodes:
        specs += diagnostics.NODE_SPECS
    return NodeRegistry(specs)
