"""Run stores with faults a test controls, over the real memory store: a database that is slow to
commit, one that goes away, and a process that dies (nothing more reaches the database). They wrap
whatever store the test runs on (tests/runs/conftest.py `run_store`)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from execution.ids import RunId
from execution.store.base import (
    Fence,
    NodeRecord,
    PageCursor,
    RunRecord,
    RunState,
    RunStore,
    RunUpdate,
    StoredEvent,
    StoreUnavailable,
)
from execution.store.memory import MemoryRunStore


class FaultyStore(RunStore):
    """Every call goes to `inner`, except that commits wait while `commits` is clear (a slow
    database) and everything raises StoreUnavailable while `down` (a database that went away);
    `lose_next_answer`: the next append commits and then raises StoreUnavailable.
    After `crash()` writes are dropped without a word: what `inner` holds is what a process
    killed at that moment would have left behind."""

    def __init__(self, inner: RunStore | None = None) -> None:
        self.inner = inner or MemoryRunStore()
        self.commits = asyncio.Event()
        self.commits.set()
        self.down = False
        self.crashed = False
        self.failed_writes = 0
        self.event_reads = 0
        # The next append commits, then its answer is lost (the connection broke after the commit).
        self.lose_next_answer = False

    def crash(self) -> None:
        self.crashed = True

    def _check(self) -> None:
        if self.down:
            raise StoreUnavailable("connection refused (the test took the database away)")

    async def _write(self) -> bool:
        """False when the write is to be dropped (after a crash)."""
        await self.commits.wait()
        if self.down:
            self.failed_writes += 1
        self._check()
        return not self.crashed

    async def create_run(self, run: RunRecord) -> RunRecord:
        return await self.inner.create_run(run) if await self._write() else run

    async def update_run(self, run_id: RunId, update: RunUpdate) -> None:
        if await self._write():
            await self.inner.update_run(run_id, update)

    async def append(self, run_id: RunId, events: Sequence[StoredEvent], nodes: Sequence[NodeRecord],
                     update: RunUpdate | None = None, *, create: RunRecord | None = None,
                     fence: Fence | None = None) -> None:
        if await self._write():
            await self.inner.append(run_id, events, nodes, update, create=create, fence=fence)
            if self.lose_next_answer:
                self.lose_next_answer = False
                raise StoreUnavailable("connection lost after the commit (the test lost its answer)")

    async def get_run(self, run_id: RunId, owner: str | None = None) -> RunRecord | None:
        self._check()
        return await self.inner.get_run(run_id, owner)

    async def get_nodes(self, run_id: RunId, *, include_images: bool = False) -> list[NodeRecord]:
        self._check()
        return await self.inner.get_nodes(run_id, include_images=include_images)

    async def list_runs(self, owner: str, *, flow_id: str = "", states: Sequence[RunState] = (),
                        page_size: int = 50, after: PageCursor | None = None) -> list[RunRecord]:
        self._check()
        return await self.inner.list_runs(owner, flow_id=flow_id, states=states, page_size=page_size, after=after)

    async def read_events(self, run_id: RunId, after_seq: int, limit: int) -> list[StoredEvent]:
        self._check()
        self.event_reads += 1
        return await self.inner.read_events(run_id, after_seq, limit)

    async def unfinished_runs(self) -> list[RunRecord]:
        self._check()
        return await self.inner.unfinished_runs()

    async def delete_finished_before(self, cutoff: float) -> int:
        self._check()
        return await self.inner.delete_finished_before(cutoff)

    async def close(self) -> None:
        pass  # the test owns `inner`
