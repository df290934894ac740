"""Warm workers: sandboxes started ahead of need, each handed out once.

Starting a sandbox (bubblewrap, then the interpreter) costs tens of milliseconds; a job given to
a worker that is already waiting costs about one. The pool keeps up to `size` ready workers;
`take` hands one out (or starts one on the spot when none is ready: a cold start); `top_up`,
called once that job has its verdict, starts replacements in the background, one at a time,
so refilling never slows the job it replaces nor takes more than one core. A worker that
died while it waited is dropped, never reused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from execution.sandbox.errors import SandboxError
from execution.sandbox.worker import Worker

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, start_worker: Callable[[], Awaitable[Worker]], size: int) -> None:
        self._start_worker = start_worker
        self._size = size
        self._idle: deque[Worker] = deque()
        self._refill: asyncio.Task[None] | None = None
        self._full = asyncio.Event()
        self._closed = False

    async def take(self) -> Worker:
        """A ready worker: a warm one, else one started now. Call `top_up` once its job is done."""
        while self._idle:
            worker = self._idle.popleft()
            if worker.alive:
                return worker
            await worker.discard()
        return await self._start_worker()

    def top_up(self) -> None:
        """Start replacing the workers taken, in the background (after a job, so the start-up of
        the next sandbox never competes with a running job's round trip)."""
        self._top_up()

    def _top_up(self) -> None:
        self._full.clear()
        if self._size and not self._closed and (self._refill is None or self._refill.done()):
            self._refill = asyncio.create_task(self._fill())

    async def _fill(self) -> None:
        while not self._closed and len(self._idle) < self._size:
            try:
                worker = await self._start_worker()
            except SandboxError as err:  # jobs start their own meanwhile and report it
                log.warning("custom code: a warm sandbox did not start: %s", err)
                break
            worker.warm = True
            self._idle.append(worker)
        self._full.set()

    def fill(self) -> None:
        """Start filling the pool now (at server start), instead of at the first job."""
        self._top_up()

    async def wait_full(self) -> None:
        """Until the pool has stopped filling (benchmarks measure warm starts after it)."""
        if self._refill is not None:
            await self._full.wait()

    async def aclose(self) -> None:
        self._closed = True
        if self._refill is not None:
            self._refill.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refill
        while self._idle:
            await self._idle.popleft().discard()
