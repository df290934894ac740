"""The floor for in-process figures: a minimal dependency-driven asyncio scheduler.

No validation, no events, no semaphore, no error handling: a counter per node and
`create_task` when it reaches zero. Whatever the engine costs beyond this is overhead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bench.graphs import Shape

Work = Callable[[float], Awaitable[None]]


async def work(seconds: float) -> None:
    if seconds:
        await asyncio.sleep(seconds)


async def run_floor(shape: Shape, do: Work = work) -> None:
    waiting = {n: len(ups) for n, ups in shape.upstream.items()}
    dependents: dict[str, list[str]] = {n: [] for n in shape.seconds}
    for src, dst in shape.edges:
        dependents[src].append(dst)
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    remaining = len(waiting)
    tasks: set[asyncio.Task[None]] = set()

    async def node(name: str) -> None:
        nonlocal remaining
        await do(shape.seconds[name])
        for dep in dependents[name]:
            waiting[dep] -= 1
            if waiting[dep] == 0:
                start(dep)
        remaining -= 1
        if remaining == 0:
            done.set_result(None)

    def start(name: str) -> None:
        task = loop.create_task(node(name))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    for name, count in waiting.items():
        if count == 0:
            start(name)
    await done
