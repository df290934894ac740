"""Diagnostic nodes for tests, benchmarks and smoke checks: sleep, fail, stream, flood, progress,
and block (keeps the event loop busy: what a saturated server looks like to everything else on it).

Registered only when the server enables them (FLOWEXEC_DIAGNOSTIC_NODES=1); never part
of the editor's palette.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from pydantic import Field

from execution.context import NodeContext
from execution.errors import ProviderError
from execution.nodes.inputs import merge_input_text
from execution.nodes.setting_types import Flag, LenientNumber, NodeSettings, Text, must
from execution.nodes.spec import TEXT_IN, NodeFamily, NodeSpec
from execution.outputs import NodeOutput


class DelaySettings(NodeSettings):
    seconds: LenientNumber = 0.0
    text: Text = ""


async def delay(ctx: NodeContext[DelaySettings]) -> NodeOutput:
    """Sleep `seconds`, then output `text` (or the merged inputs)."""
    await asyncio.sleep(ctx.settings.seconds)
    return NodeOutput(text=ctx.settings.text or merge_input_text(ctx.inputs))


class BlockSettings(NodeSettings):
    seconds: LenientNumber = 0.0


async def block(ctx: NodeContext[BlockSettings]) -> NodeOutput:
    """Keep the event loop busy (a CPU loop, never yielding) for `seconds`, then output "done"."""
    end = time.monotonic() + ctx.settings.seconds
    while time.monotonic() < end:
        pass
    return NodeOutput(text="done")


class FailSettings(NodeSettings):
    seconds: LenientNumber = 0.0
    message: Text = ""
    retryable: Flag = False


async def fail(ctx: NodeContext[FailSettings]) -> NodeOutput:
    """Sleep `seconds`, then fail with `message` (a provider error, `retryable` as set)."""
    await asyncio.sleep(ctx.settings.seconds)
    raise ProviderError(ctx.settings.message or "diagnostic failure", retryable=ctx.settings.retryable)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(c, str) for c in value)


class StreamSettings(NodeSettings):
    # Required: absent, it fails as any other value that is not a list of strings.
    chunks: Annotated[list[str], must(_strings, "must be a list of strings")] = Field(
        default=None, validate_default=True)
    interval: LenientNumber = 0.0


async def stream(ctx: NodeContext[StreamSettings]) -> NodeOutput:
    """Emit `chunks` (a list of strings) as text deltas, `interval` seconds apart."""
    chunks, interval = ctx.settings.chunks, ctx.settings.interval
    for chunk in chunks:
        ctx.emit_text(chunk)
        if interval:
            await asyncio.sleep(interval)
    return NodeOutput(text="".join(chunks))


class FloodSettings(NodeSettings):
    count: LenientNumber = 0.0
    text: Text = ""
    every: LenientNumber = 100.0


async def flood(ctx: NodeContext[FloodSettings]) -> NodeOutput:
    """Emit `text` as `count` text deltas as fast as possible, letting the loop run every
    `every` deltas (a fast provider stream; for backpressure tests and benchmarks)."""
    count = int(ctx.settings.count)
    text = ctx.settings.text or "tok,"
    every = max(1, int(ctx.settings.every))
    for i in range(1, count + 1):
        ctx.emit_text(text)
        if i % every == 0:
            await asyncio.sleep(0)
    return NodeOutput(text=text * count)


class ProgressSettings(NodeSettings):
    steps: LenientNumber = 3.0
    interval: LenientNumber = 0.0
    label: Text = ""


async def progress(ctx: NodeContext[ProgressSettings]) -> NodeOutput:
    """Report progress 1..`steps` of `steps`, `interval` seconds apart, then output "done"."""
    steps = int(ctx.settings.steps)
    for value in range(1, steps + 1):
        ctx.emit_progress(value, steps, label=ctx.settings.label)
        if ctx.settings.interval:
            await asyncio.sleep(ctx.settings.interval)
    return NodeOutput(text="done")


DELAY = NodeSpec("diag.delay", NodeFamily.DIAGNOSTIC, delay, DelaySettings,
                 display_name="Delay", description="Sleeps, then outputs text.", inputs=(TEXT_IN,))
FAIL = NodeSpec("diag.fail", NodeFamily.DIAGNOSTIC, fail, FailSettings,
                display_name="Fail", description="Sleeps, then fails.")
STREAM = NodeSpec("diag.stream", NodeFamily.DIAGNOSTIC, stream, StreamSettings,
                  display_name="Stream", description="Streams chunks as text deltas.")
FLOOD = NodeSpec("diag.flood", NodeFamily.DIAGNOSTIC, flood, FloodSettings,
                 display_name="Flood", description="Streams many text deltas as fast as it can.")

PROGRESS = NodeSpec("diag.progress", NodeFamily.DIAGNOSTIC, progress, ProgressSettings,
                    display_name="Progress", description="Reports progress steps, then outputs text.")

BLOCK = NodeSpec("diag.block", NodeFamily.DIAGNOSTIC, block, BlockSettings,
                 display_name="Block", description="Keeps the server's event loop busy, then outputs text.")

NODE_SPECS: tuple[NodeSpec[Any], ...] = (DELAY, FAIL, STREAM, FLOOD, PROGRESS, BLOCK)
