"""The cache store conformance suite's fixtures: every test runs once per kind of cache store —
memory, a SQLite file and the real PostgreSQL of tests/store (its URL fixtures, one database
emptied per test, the cache's table included)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from execution.cache.open import open_cache_store
from execution.cache.store import CacheStore
from tests.store.conftest import SQL_KINDS

CACHE_KINDS = ["memory", *SQL_KINDS]

OpenCache = Callable[[], Awaitable[CacheStore]]


@pytest.fixture(params=CACHE_KINDS)
def cache_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cache_url(cache_kind: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{cache_kind}_store_url"))


@pytest.fixture
async def open_cache(cache_url: str) -> AsyncIterator[OpenCache]:
    """Opens a store on the test's database (each closed at the end unless the test did)."""
    opened: list[CacheStore] = []

    async def open_() -> CacheStore:
        store = await open_cache_store(cache_url)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        await store.close()


@pytest.fixture
async def cache_store(open_cache: OpenCache) -> CacheStore:
    return await open_cache()
