"""The cache store seam: entries by key, their use, their eviction — and nothing else.

Two implementations pass one conformance suite (tests/cache/store): SQL, in the same database
as the runs (SQLite or PostgreSQL; table `cache_entries`, an Alembic revision of the run
store's schema), and memory (persistence off). Keys are opaque here (execution.cache.key makes
them; they already hold the owner's scope); outputs are stored with our own codec, never pickle.

An entry's size is its encoded output plus its image's bytes (`entry_size`), the same number
for both stores, so FLOWEXEC_CACHE_MAX_BYTES means the same thing on either. Eviction drops
expired entries first, then the least recently used (by `touch` time, else creation) until the
rest fit — down to EVICT_TO of the cap, so a full cache does not evict on every write.
Every method may raise StoreUnavailable (execution.store.base) when the backend is away.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from execution.outputs import NodeOutput
from execution.store.sql.output_codec import encode_output

# After eviction the cache holds at most this share of its cap.
EVICT_TO = 0.9


@dataclass(frozen=True, slots=True)
class CacheEntry:
    key: str
    node_type: str
    output: NodeOutput
    # Unix seconds.
    created_at: float
    # None: valid until evicted.
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True, slots=True)
class CacheUse:
    """An entry served at `at` (Unix seconds): it becomes the most recently used."""

    key: str
    at: float


@dataclass(frozen=True, slots=True)
class NodeTypeStats:
    node_type: str
    entries: int
    bytes: int
    # Times entries of this type were served (counted by `touch`).
    hits: int
    # The most recent use or creation of one of its entries (Unix seconds).
    last_used_at: float


@dataclass(frozen=True, slots=True)
class CacheStats:
    entries: int
    bytes: int
    # Entries past their TTL that eviction has not removed yet (never served).
    expired: int
    by_node_type: tuple[NodeTypeStats, ...]


@dataclass(frozen=True, slots=True)
class Eviction:
    expired: int
    # Entries removed to fit the cap (least recently used first).
    evicted: int
    # What the cache holds afterwards.
    bytes_left: int


def entry_size(output: NodeOutput) -> int:
    """Bytes an entry counts against the cap: its encoded output and its image."""
    image = len(output.image.data) if output.image is not None else 0
    return len(encode_output(output).encode()) + image


class CacheStore(abc.ABC):
    @abc.abstractmethod
    async def get(self, key: str, now: float) -> CacheEntry | None:
        """The entry, or None when there is none or it expired at `now`."""

    @abc.abstractmethod
    async def put(self, entries: Sequence[CacheEntry]) -> None:
        """Store entries (one transaction), replacing any with the same key; each starts unused."""

    @abc.abstractmethod
    async def touch(self, uses: Sequence[CacheUse]) -> None:
        """Record uses: each counts one hit and makes its entry the most recently used. Uses of
        keys that are gone are ignored."""

    @abc.abstractmethod
    async def evict(self, now: float, max_bytes: int) -> Eviction:
        """Delete entries expired at `now`; then, when the rest exceed `max_bytes`, the least
        recently used until they fit EVICT_TO of it."""

    @abc.abstractmethod
    async def stats(self, now: float) -> CacheStats:
        """Entries and bytes, in total and per node type (sorted by type)."""

    @abc.abstractmethod
    async def clear(self, node_type: str | None = None) -> int:
        """Delete every entry, or those of one node type; returns how many."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release connections."""
