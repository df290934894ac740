"""The GenerationJob of a node execution: who asks a backend for work, and where its progress goes."""

from __future__ import annotations

from typing import Any

from execution.context import NodeContext
from execution.providers.image_vendors.generation import GenerationJob


def generation_job(ctx: NodeContext[Any], step: str = "") -> GenerationJob:
    """This execution of the node (run, node, attempt; `step` for one of several submissions),
    reporting progress as the node's NodeProgress events."""

    def progress(value: int, total: int, label: str, sub_step: str) -> None:
        ctx.emit_progress(value, total, label=label, step=f"{step}/{sub_step}" if step and sub_step else step or sub_step)

    return GenerationJob(run_id=ctx.run_id, node_id=ctx.node_id, attempt=ctx.attempt, step=step, on_progress=progress)
