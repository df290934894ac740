"""image_generation (seed 003): a batch — one image per item of a list of prompts, generated in
parallel under the provider's limits; each item's success or failure reported, partial results
kept.

- Items: execution.nodes.batch_items (the input `prompts`, text inputs line by line, or the
  settings); at most MAX_ITEMS. Every item is generated with the node's settings (vendor, model,
  size, steps, negative prompt, guidance) as imageGenerator would; a node `seed` gives item i
  the seed `seed + i` (so the batch can be made again), no seed a random one per item.
- Limits: at most `concurrency` items of the node in flight (default 4); each item's call takes
  the vendor's concurrency slot (FLOWEXEC_PROVIDER_CONCURRENCY_LIMITS, shared by every run) and
  is charged to the user's request budget for the vendor first (the node's gate: a wait for the
  budget gives the node's run slot back, one item at a time; a wait longer than the server
  allows fails that item RATE_LIMITED).
- Reporting while it runs: a NodeProgress after each item (items settled of items, with
  "n made, m failed" as label) and, for an item that failed, a RUNNING status with the reason.
- Output: `images` (NodeOutput.images: every image made, in item order) with the first as
  `image`; named outputs `count` (images made), `failed` (items that failed) and `items` (per
  item: index, prompt, id, ok, image — its position in `images` — seed, or error and reason);
  text: a one-line summary. The images together stay under MAX_BATCH_IMAGE_BYTES (an item past
  it fails), so the output fits a gRPC message.
- The node fails only when every item failed (with the first item's error, its reason when all
  failed alike); one image is a result. Dry run: nothing generated, a ProviderCall per item.
Not cached: a batch of fresh images each run (imageGenerator caches single images with a seed).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from typing import Annotated, Any

from pydantic import WithJsonSchema

from execution.context import NodeContext
from execution.errors import InvalidNodeInput, NodeError
from execution.events import StatusReason
from execution.images import NODE_OUTPUT
from execution.messages import ChatMessage
from execution.nodes.batch_items import MAX_ITEMS, PROMPTS, BatchItem, ItemOutcome, batch_items
from execution.nodes.image import MAX_SEED, GeneratorSettings, generation_request, request_text
from execution.nodes.jobs import generation_job
from execution.nodes.ports import value_port
from execution.nodes.setting_types import WholeNumber, must
from execution.nodes.spec import IMAGE_OUT, TEXT_IN, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import Image, NodeOutput, ProviderCall
from execution.providers.image_vendors.generation import GenerationRequest
from execution.providers.image_vendors.image_providers import ImageChoice
from execution.ratelimit.gate import Pause, Wait

MAX_CONCURRENCY = 16
DEFAULT_CONCURRENCY = 4
MAX_BATCH_IMAGE_BYTES = 48 * 1024 * 1024


class BatchSettings(GeneratorSettings):
    # The prompts when no input brings them: a list (strings or {prompt, id}) or a text, one per line.
    prompts: Annotated[Any, must(lambda v: v is None or isinstance(v, list | str),
                                 "must be a list of prompts or a text (one prompt per line)"),
                       WithJsonSchema({"anyOf": [{"type": "array", "items": {"anyOf": [
                           {"type": "string"}, {"type": "object", "properties": {"prompt": {"type": "string"}}}]}},
                           {"type": "string"}]})] = None
    # Items of this node generated at once (the vendor's own limit applies too).
    concurrency: Annotated[int | None, WholeNumber(1, MAX_CONCURRENCY)] = None


class BatchFailed(NodeError):
    """Every item failed: the node's error, with the reason the items share."""

    def __init__(self, message: str, reason: StatusReason, retryable: bool) -> None:
        super().__init__(message, retryable=retryable)
        self.reason = reason


class OnePauseAtATime:
    """The node's gate pause, shared by its items: the node holds one run slot, so only one
    item may give it back and wait; an item that needs a wait meanwhile waits for that one to
    end, then asks its budget again."""

    def __init__(self, pause: Pause) -> None:
        self._pause = pause
        self._lock = asyncio.Lock()

    async def __call__(self, wait: Wait) -> None:
        if self._lock.locked():
            async with self._lock:
                return
        async with self._lock:
            await self._pause(wait)


class _Batch:
    """One execution of the node: its items, run and accounted."""

    def __init__(self, ctx: NodeContext[BatchSettings], choice: ImageChoice, items: list[BatchItem]) -> None:
        self.ctx, self.choice, self.items = ctx, choice, items
        self.gate = replace(ctx.gate, pause=OnePauseAtATime(ctx.gate.pause))
        self.slots = asyncio.Semaphore(ctx.settings.concurrency or DEFAULT_CONCURRENCY)
        self.made: dict[int, Image] = {}
        self.outcomes: dict[int, ItemOutcome] = {}
        self.image_bytes = 0

    def request(self, item: BatchItem) -> GenerationRequest:
        """The item's request (InvalidNodeInput for a prompt the vendor would refuse)."""
        request = generation_request(item.prompt, self.ctx.settings)
        if request.seed is not None:
            return replace(request, seed=(request.seed + item.index) % (MAX_SEED + 1))
        if self.choice.provider.takes_seed and not self.ctx.dry_run:
            return replace(request, seed=random.randint(1, MAX_SEED))  # 0 is "random" to some vendors
        return request

    async def run(self, item: BatchItem, request: GenerationRequest) -> None:
        provider, ctx = self.choice.provider, self.ctx
        seed = request.seed if provider.takes_seed else None  # what the vendor was asked for
        async with self.slots:
            try:
                await self.gate.admit(provider.provider_id, 0)
                generated = await provider.generate(self.choice.model, request,
                                                    generation_job(ctx, f"item-{item.index}"))
                prepared = await ctx.services.images.processor.from_provider(generated.image.data, NODE_OUTPUT,
                                                                             provider=provider.provider_id)
                size = len(prepared.image.data)
                if self.image_bytes + size > MAX_BATCH_IMAGE_BYTES:
                    raise InvalidNodeInput(f"the node's images would pass {MAX_BATCH_IMAGE_BYTES // 2**20} MiB")
            except NodeError as err:
                self.fail(item, err, seed)
            else:
                self.image_bytes += size
                self.made[item.index] = prepared.image
                self.outcomes[item.index] = ItemOutcome(item, seed)
            self.progress()

    def fail(self, item: BatchItem, err: NodeError, seed: int | None = None) -> None:
        message = self.ctx.services.redactor.redact(err.message)
        self.outcomes[item.index] = ItemOutcome(item, seed, error=message, reason=err.reason.value,
                                                retryable=err.retryable)
        self.ctx.report(f"image {item.index + 1} of {len(self.items)} failed: {message}")

    def progress(self) -> None:
        made = len(self.made)
        self.ctx.emit_progress(len(self.outcomes), len(self.items), label=f"{made} made, "
                                                                          f"{len(self.outcomes) - made} failed")

    def output(self, calls: tuple[ProviderCall, ...]) -> NodeOutput:
        order = sorted(self.made)
        position = {index: i for i, index in enumerate(order)}
        outcomes = [self.outcomes[item.index] for item in self.items]
        values = [replace(o, image=position.get(o.item.index)).as_value() for o in outcomes]
        failed = [o for o in outcomes if o.error]
        if not order:
            raise _all_failed(failed)
        images = tuple(self.made[index] for index in order)
        summary = f"{len(images)} of {len(self.items)} images made" + (f", {len(failed)} failed" if failed else "")
        return NodeOutput(text=summary, image=images[0], images=images, provider_calls=calls,
                          values={"count": len(images), "failed": len(failed), "items": values})


def _all_failed(failed: list[ItemOutcome]) -> BatchFailed:
    first = failed[0]
    reasons = {o.reason for o in failed}
    reason = StatusReason(first.reason) if len(reasons) == 1 else StatusReason.PROVIDER_ERROR
    return BatchFailed(f"all {len(failed)} images failed; image {first.item.index + 1}: {first.error}", reason,
                       any(o.retryable for o in failed))


async def image_generation(ctx: NodeContext[BatchSettings]) -> NodeOutput:
    items = batch_items(ctx)
    choice = ctx.services.images.providers.choose(ctx.model.provider_id, ctx.model.model,
                                                  explicit=bool(ctx.settings.provider_id))
    batch = _Batch(ctx, choice, items)
    planned: list[tuple[BatchItem, GenerationRequest]] = []
    calls: list[ProviderCall] = []
    for item in items:
        try:
            if item.problem:
                raise InvalidNodeInput(item.problem)
            request = batch.request(item)
        except NodeError as err:
            batch.fail(item, err)
            continue
        plan = choice.provider.plan(choice.model, request)
        calls.append(ProviderCall(plan.provider_id, plan.model, "generate-image", (ChatMessage("user", request_text(plan)),)))
        planned.append((item, request))
    if ctx.dry_run:
        return NodeOutput(text=f"{len(planned)} of {len(items)} images would be made", dry_run=True,
                          provider_calls=tuple(calls))
    ctx.emit_progress(len(batch.outcomes), len(items), label="0 made")
    async with asyncio.TaskGroup() as group:
        for item, request in planned:
            group.create_task(batch.run(item, request))
    return batch.output(tuple(calls))


IMAGE_GENERATION = NodeSpec(
    "image_generation", NodeFamily.IMAGE, image_generation, BatchSettings,
    display_name="Image Generation (batch)",
    description=f"One image per prompt of a list (input 'prompts', or one per line of the text; at most {MAX_ITEMS}), "
                "made in parallel under the vendor's limits; every item's success or failure is reported and the "
                "images made are kept. Fails only when every item failed.",
    inputs=(TEXT_IN, value_port(PROMPTS, description="A list of prompts (or {prompt, id} objects), or a text with "
                                                     "one prompt per line")),
    outputs=(IMAGE_OUT, TEXT_OUT,
             value_port("count", description="Images made"),
             value_port("failed", description="Items that failed"),
             value_port("items", description="Per item: index, prompt, id, ok, image (position in images), seed, "
                                             "or error and reason")),
    calls_provider=True,
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (IMAGE_GENERATION,)
