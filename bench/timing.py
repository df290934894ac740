"""Repeat-and-median timing of async callables, with a warm-up and a collection before each try."""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable

from bench.stats import median


async def timed(fn: Callable[[], Awaitable[object]], repeats: int, warmup: int = 1) -> list[float]:
    """Wall seconds of `repeats` sequential calls of fn (after `warmup` untimed calls)."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
    return samples


async def timed_pair(a: Callable[[], Awaitable[object]], b: Callable[[], Awaitable[object]],
                     repeats: int, warmup: int = 1) -> tuple[float, float]:
    """Medians of a and b, interleaved try by try so drifting machine load hits both alike."""
    for _ in range(warmup):
        await a()
        await b()
    sa, sb = [], []
    for _ in range(repeats):
        sa += await timed(a, 1, 0)
        sb += await timed(b, 1, 0)
    return median(sa), median(sb)
