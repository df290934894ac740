"""MemoryCacheStore: the cache with persistence off — entries live as long as the process.

An ordered dict is the recency order: `put` and `touch` move an entry to the end, eviction
takes from the front (uses arrive in time order, so this is the SQL store's order too).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from execution.cache.store import (
    EVICT_TO,
    CacheEntry,
    CacheStats,
    CacheStore,
    CacheUse,
    Eviction,
    NodeTypeStats,
    entry_size,
)


@dataclass(slots=True)
class _Row:
    entry: CacheEntry
    size: int
    last_used_at: float
    hits: int = 0


class MemoryCacheStore(CacheStore):
    def __init__(self) -> None:
        self._rows: OrderedDict[str, _Row] = OrderedDict()
        self._bytes = 0

    async def get(self, key: str, now: float) -> CacheEntry | None:
        row = self._rows.get(key)
        if row is None or row.entry.expired(now):
            return None
        return row.entry

    async def put(self, entries: Sequence[CacheEntry]) -> None:
        for entry in entries:
            self._remove(entry.key)
            row = _Row(entry, entry_size(entry.output), entry.created_at)
            self._rows[entry.key] = row
            self._bytes += row.size

    async def touch(self, uses: Sequence[CacheUse]) -> None:
        for use in uses:
            row = self._rows.get(use.key)
            if row is not None:
                row.hits += 1
                row.last_used_at = max(row.last_used_at, use.at)
                self._rows.move_to_end(use.key)

    async def evict(self, now: float, max_bytes: int) -> Eviction:
        expired = [key for key, row in self._rows.items() if row.entry.expired(now)]
        for key in expired:
            self._remove(key)
        evicted = 0
        if self._bytes > max_bytes:
            target = int(max_bytes * EVICT_TO)
            while self._rows and self._bytes > target:
                self._remove(next(iter(self._rows)))
                evicted += 1
        return Eviction(len(expired), evicted, self._bytes)

    async def stats(self, now: float) -> CacheStats:
        per_type: dict[str, list[float]] = {}
        expired = 0
        for row in self._rows.values():
            expired += row.entry.expired(now)
            tally = per_type.setdefault(row.entry.node_type, [0, 0, 0, 0.0])
            tally[0] += 1
            tally[1] += row.size
            tally[2] += row.hits
            tally[3] = max(tally[3], row.last_used_at)
        by_type = tuple(NodeTypeStats(t, int(n), int(size), int(hits), last)
                        for t, (n, size, hits, last) in sorted(per_type.items()))
        return CacheStats(len(self._rows), self._bytes, expired, by_type)

    async def clear(self, node_type: str | None = None) -> int:
        keys = [k for k, row in self._rows.items() if node_type is None or row.entry.node_type == node_type]
        for key in keys:
            self._remove(key)
        return len(keys)

    async def close(self) -> None:
        return None

    def _remove(self, key: str) -> None:
        row = self._rows.pop(key, None)
        if row is not None:
            self._bytes -= row.size
