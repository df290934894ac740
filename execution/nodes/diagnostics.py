"""Diagnostic nodes for tests, benchmarks and smoke checks: sleep, fail, stream, flood.

Registered only when the server enables them (FLOWEXEC_DIAGNOSTIC_NODES=1); never part
of the editor's palette.
"""

from __future__ import annotations

import asyncio
from typing import Any

from execution.context import NodeContext
from execution.errors import InvalidNodeInput, ProviderError
from execution.nodes.inputs import merge_input_text, setting
from execution.outputs import NodeOutput
from execution.registry import ExecutorSpec, NodeCategory


def _number(value: Any, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


async def delay(ctx: NodeContext) -> NodeOutput:
    """Sleep `seconds`, then output `text` (or the merged inputs)."""
    await asyncio.sleep(_number(ctx.data.get("seconds"), 0.0))
    return NodeOutput(text=setting(ctx.data, "text") or merge_input_text(ctx.inputs))


async def fail(ctx: NodeContext) -> NodeOutput:
    """Sleep `seconds`, then fail with `message` (a provider error, `retryable` as set)."""
    await asyncio.sleep(_number(ctx.data.get("seconds"), 0.0))
    raise ProviderError(setting(ctx.data, "message") or "diagnostic failure",
                        retryable=bool(ctx.data.get("retryable", False)))


async def stream(ctx: NodeContext) -> NodeOutput:
    """Emit `chunks` (a list of strings) as text deltas, `interval` seconds apart."""
    chunks = ctx.data.get("chunks")
    if not isinstance(chunks, list) or not all(isinstance(c, str) for c in chunks):
        raise InvalidNodeInput("'chunks' must be a list of strings")
    interval = _number(ctx.data.get("interval"), 0.0)
    for chunk in chunks:
        ctx.emit_text(chunk)
        if interval:
            await asyncio.sleep(interval)
    return NodeOutput(text="".join(chunks))


async def flood(ctx: NodeContext) -> NodeOutput:
    """Emit `text` as `count` text deltas as fast as possible, letting the loop run every
    `every` deltas (a fast provider stream; for backpressure tests and benchmarks)."""
    count = int(_number(ctx.data.get("count"), 0))
    text = setting(ctx.data, "text") or "tok,"
    every = max(1, int(_number(ctx.data.get("every"), 100)))
    for i in range(1, count + 1):
        ctx.emit_text(text)
        if i % every == 0:
            await asyncio.sleep(0)
    return NodeOutput(text=text * count)


EXECUTORS = [
    ExecutorSpec("diag.delay", delay, NodeCategory.DIAGNOSTIC, "Sleeps, then outputs text."),
    ExecutorSpec("diag.fail", fail, NodeCategory.DIAGNOSTIC, "Sleeps, then fails."),
    ExecutorSpec("diag.stream", stream, NodeCategory.DIAGNOSTIC, "Streams chunks as text deltas."),
    ExecutorSpec("diag.flood", flood, NodeCategory.DIAGNOSTIC, "Streams many text deltas as fast as it can."),
]
