"""CodeSandbox: runs user Python behind the kernel boundary, or refuses to.

Off unless the server turns it on (ALLOW_CUSTOM_CODE=true). When on, the boundary is probed
once — bubblewrap starts the runner and a trivial job round-trips, trying each candidate
interpreter in turn — and the server refuses to start when no candidate works (`start`
raises SandboxUnavailable with the reason), rather than run custom code any weaker way.
Every job then gets a fresh sandbox, warm from the pool or started for it, and at most
`max_concurrency` run at once across the process.

The entry point user code defines is `def main(inputs: dict) -> dict`: it receives the node's
inputs as a JSON object and returns a JSON object. Only the standard library is there.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Mapping
from typing import Any

from execution.sandbox.command import SandboxCommand, interpreter_candidates
from execution.sandbox.errors import SandboxError, SandboxUnavailable
from execution.sandbox.policy import SandboxPolicy
from execution.sandbox.pool import WorkerPool
from execution.sandbox.settings import SandboxSettings
from execution.sandbox.worker import SandboxResult, Worker

log = logging.getLogger(__name__)

OFF_MESSAGE = "custom code is off on this server (ALLOW_CUSTOM_CODE=true turns it on; it needs bubblewrap)"
_PROBE_CODE = "def main(inputs):\n    return {'echo': inputs['probe']}\n"


class CodeSandbox:
    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings.explicit()
        self.policy: SandboxPolicy = self.settings.policy()
        self._command: SandboxCommand | None = None
        self._unavailable: SandboxUnavailable | None = None
        self._started: asyncio.Task[None] | None = None
        self._pool: WorkerPool | None = None
        self._slots = asyncio.Semaphore(self.settings.max_concurrency)
        self._reaping: set[asyncio.Future[None]] = set()

    @classmethod
    def disabled(cls) -> CodeSandbox:
        return cls()

    @classmethod
    def from_env(cls) -> CodeSandbox:
        return cls(SandboxSettings())

    @property
    def enabled(self) -> bool:
        return self.settings.allow_custom_code

    @property
    def command(self) -> SandboxCommand | None:
        """The working bubblewrap command, once probed."""
        return self._command

    async def start(self) -> None:
        """Probe the boundary once (when enabled) and fill the warm pool; SandboxUnavailable
        says why custom code cannot run here. Later calls return the first outcome."""
        if not self.enabled:
            return
        if self._started is None:
            self._started = asyncio.ensure_future(self._probe())
        await asyncio.shield(self._started)
        if self._unavailable is not None:
            raise self._unavailable

    async def _probe(self) -> None:
        failures: list[str] = []
        if shutil.which(self.settings.bwrap) is None:
            failures.append(f"{self.settings.bwrap} is not an installed program")
        for python in interpreter_candidates(self.settings.python) if not failures else ():
            command = SandboxCommand.build(self.settings.bwrap, python)
            try:
                worker = await Worker.start(command, self.policy)
                result = await worker.run(_PROBE_CODE, {"probe": "ok"})
            except SandboxError as err:
                failures.append(f"{python}: {err.message}")
                continue
            if result.value == {"echo": "ok"}:
                self._command = command
                break
            failures.append(f"{python}: the probe job returned {result.value!r}")
        if self._command is None:
            self._unavailable = SandboxUnavailable(
                f"custom code is on (ALLOW_CUSTOM_CODE=true) but its sandbox does not work here "
                f"(bubblewrap: {self.settings.bwrap}; install it with scripts/ensure_bubblewrap.sh): "
                + "; ".join(failures))
            return
        log.info("custom code sandbox ready: %s, %s", self._command.bwrap, self._command.python)
        self._pool = WorkerPool(self._start_worker, self.settings.warm_workers)
        self._pool.fill()

    async def _start_worker(self) -> Worker:
        assert self._command is not None
        return await Worker.start(self._command, self.policy)

    async def run(self, code: str, inputs: Mapping[str, Any]) -> SandboxResult:
        """`main(inputs)` of `code` in a fresh sandbox; a SandboxError says why not."""
        if not self.enabled:
            raise SandboxUnavailable(OFF_MESSAGE)
        await self.start()
        assert self._pool is not None
        async with self._slots:
            worker = await self._pool.take()
            try:
                return await worker.run(code, inputs)
            finally:  # the sandbox is dead already (run kills it); reaping it waits for nobody
                self._reap(worker)
                self._pool.top_up()

    def _reap(self, worker: Worker) -> None:
        task = asyncio.ensure_future(worker.discard())
        self._reaping.add(task)
        task.add_done_callback(self._reaping.discard)

    async def wait_warm(self) -> None:
        """Until the warm pool is full (benchmarks)."""
        await self.start()
        if self._pool is not None:
            await self._pool.wait_full()

    async def aclose(self) -> None:
        if self._started is not None and not self._started.done():
            self._started.cancel()
        if self._pool is not None:
            await self._pool.aclose()
        if self._reaping:
            await asyncio.gather(*self._reaping, return_exceptions=True)
