"""Which runs this process executes, when replicas share one store (store.leases, PostgreSQL).

Every run this process starts is claimed under its holder id (a random id per process) at
attempt 1, with the run's first write; the heartbeat (its own thread) renews the claims of the
live runs; every write of a run is fenced by its claim. A replica that dies stops renewing:
after the lease, another replica's takeover (every half lease here, and once at start-up) ends
the run INTERRUPTED under the raised attempt, exactly as start-up recovery does for a single
process, and resumes it when the policy says so — from the stored outputs, so that no
completed node runs twice. Without leases (SQLite, memory) a store belongs to one process and
none of this runs.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from execution.runs.heartbeat import Heartbeat, Held
from execution.runs.policy import RunPolicy
from execution.store.base import Fence, Leases

log = logging.getLogger("flowexec.runs")


class Ownership:
    def __init__(self, leases: Leases | None, policy: RunPolicy) -> None:
        self.leases = leases
        self.holder = uuid.uuid4().hex
        self._lease = policy.lease_seconds
        self._heartbeat: Heartbeat | None = None
        self._takeovers: asyncio.Task[None] | None = None

    def new_fence(self) -> Fence | None:
        """The fence of a run this process starts (None without leases)."""
        return Fence(self.holder, 1, self._lease) if self.leases is not None else None

    def start(self, held: Held, lost: Callable[[list[str]], None], take_over: Callable[[], Awaitable[object]]) -> None:
        """Start the heartbeat (`lost` is called on the loop) and the periodic takeover."""
        if self.leases is None or self._heartbeat is not None:
            return
        loop = asyncio.get_running_loop()

        def report(run_ids: list[str]) -> None:  # in the heartbeat's thread
            loop.call_soon_threadsafe(lost, run_ids)

        self._heartbeat = Heartbeat(self.leases.heartbeat_dsn(), self.holder, self._lease, held, report)
        self._heartbeat.start()
        self._takeovers = loop.create_task(self._take_over_periodically(take_over), name="runs-takeover")

    async def stop_taking_over(self) -> None:
        if self._takeovers is not None:
            self._takeovers.cancel()
            self._takeovers = None

    async def stop(self) -> None:
        await self.stop_taking_over()
        if self._heartbeat is not None:
            await asyncio.to_thread(self._heartbeat.stop)
            self._heartbeat = None

    async def _take_over_periodically(self, take_over: Callable[[], Awaitable[object]]) -> None:
        while True:
            await asyncio.sleep(self._lease / 2)
            try:
                await take_over()
            except Exception as err:
                log.error("could not look for runs to take over: %s", err)
