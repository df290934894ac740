"""The async front of image handling: off the event loop, bounded, and whose fault a refusal is."""

from __future__ import annotations

import asyncio

import pytest

from execution.errors import InvalidNodeInput, ProviderError
from execution.images import NODE_OUTPUT, ImageProcessor, ImageRejected
from tests.images import samples


async def test_normalising_runs_off_the_event_loop() -> None:
    processor = ImageProcessor(max_parallel=2)
    raw = samples.encode(samples.noise((2400, 1800)), "JPEG", quality=85)  # ~100 ms of CPU to normalise
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        prepared = await processor.prepare(raw, NODE_OUTPUT)
    finally:
        task.cancel()
    assert prepared.width == 2048
    assert ticks >= 5  # the loop kept turning while Pillow worked


async def test_parallelism_is_bounded() -> None:
    processor = ImageProcessor(max_parallel=1)
    raws = [samples.solid((64, 64), color=(i, i, i)) for i in range(4)]
    results = await asyncio.gather(*(processor.prepare(r, NODE_OUTPUT) for r in raws))
    assert [r.image.data for r in results] == raws


async def test_refusals_say_whose_fault_they_are() -> None:
    processor = ImageProcessor()
    with pytest.raises(ImageRejected):
        await processor.prepare(b"nope", NODE_OUTPUT)
    with pytest.raises(InvalidNodeInput, match="^'image': not an image"):
        await processor.from_client(b"nope", NODE_OUTPUT, what="'image'")
    with pytest.raises(ProviderError, match="^fake returned an unusable image: not an image") as caught:
        await processor.from_provider(b"nope", NODE_OUTPUT, provider="fake")
    assert caught.value.retryable is False
