"""CacheWriter: the cache's writes, off the nodes' path.

A node that computed an output queues it and goes on (its output event does not wait for the
database); one task, started when something is queued and ended when nothing is, writes what
is queued in batches — new entries in one transaction, the uses of served entries (for LRU
order and hit counts) in another — and evicts when the bytes written since the last count may
have passed the cap, and for expired entries with the first batch after SWEEP_SECONDS (an
expired entry is never served meanwhile: lookups check its expiry). Until its batch is
committed a queued entry answers lookups from here (`pending`), so a run that follows at once
still finds it.

The cache is best effort: a batch the store refuses (database away) is dropped with a warning;
those nodes simply run again next time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from execution.cache.store import CacheEntry, CacheStore, CacheUse, entry_size

log = logging.getLogger("flowexec.cache")

# Expired entries are looked for with the first batch this long after the last look (and
# whenever the cap may be passed).
SWEEP_SECONDS = 300.0


class CacheWriter:
    def __init__(self, store: CacheStore, max_bytes: int, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._max_bytes = max_bytes
        self._clock = clock
        self._queued: dict[str, CacheEntry] = {}
        self._writing: dict[str, CacheEntry] = {}
        self._uses: list[CacheUse] = []
        # Bytes in the store as of the last eviction, plus what was written since (None: not counted yet).
        self._bytes: int | None = None
        self._last_sweep = 0.0
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.failures = 0

    @property
    def idle(self) -> bool:
        """Nothing queued and no task: an idle writer holds nothing."""
        return not (self._queued or self._uses) and (self._task is None or self._task.done())

    def pending(self, key: str) -> CacheEntry | None:
        """A queued entry not yet committed."""
        return self._queued.get(key) or self._writing.get(key)

    def put(self, entry: CacheEntry) -> None:
        self._queued[entry.key] = entry
        self._kick()

    def use(self, key: str, at: float) -> None:
        self._uses.append(CacheUse(key, at))
        self._kick()

    async def flush(self) -> None:
        """Write everything queued so far (tests, shutdown)."""
        await self._write_queued()

    async def close(self) -> None:
        """Write everything queued: the task's batches run to their end, none is cut."""
        task, self._task = self._task, None
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        await self._write_queued()

    # -- the task ---------------------------------------------------------------------------

    def _kick(self) -> None:
        """Start the task unless it is running (it takes what is queued before it ends)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="flowexec-cache-writer")

    async def _run(self) -> None:
        """Write batches while there is anything queued, then end: an idle writer holds no task."""
        while self._queued or self._uses:
            await self._write_queued()

    async def _write_queued(self) -> None:
        async with self._lock:
            entries, self._queued = self._queued, {}
            uses, self._uses = self._uses, []
            self._writing = entries
            try:
                if entries:
                    await self._store.put(list(entries.values()))
                    if self._bytes is not None:
                        self._bytes += sum(entry_size(e.output) for e in entries.values())
                if uses:
                    await self._store.touch(uses)
                now = self._clock()
                if self._bytes is None or self._bytes > self._max_bytes or now - self._last_sweep >= SWEEP_SECONDS:
                    self._last_sweep = now
                    eviction = await self._store.evict(now, self._max_bytes)
                    self._bytes = eviction.bytes_left
                    if eviction.expired or eviction.evicted:
                        log.info("cache: %d expired and %d least recently used entries removed; %d bytes left",
                                 eviction.expired, eviction.evicted, eviction.bytes_left)
            except Exception as error:  # StoreUnavailable, or a value the store refused
                self.failures += 1
                log.warning("cache: %d new entries and %d uses not written: %s", len(entries), len(uses), error)
            finally:
                self._writing = {}
