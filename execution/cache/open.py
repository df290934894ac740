"""open_cache_store(url): the cache store a database URL names — the runs' URL (FLOWEXEC_DATABASE_URL).

`memory` → MemoryCacheStore (persistence off); `sqlite:///…` or `postgresql://…` → SqlCacheStore
in that database, its schema migrated (the same revisions as the run store's). Refusals are
StoreUnavailable naming the URL without its password, as open_store's are.
"""

from __future__ import annotations

from execution.cache.store import CacheStore
from execution.store.base import StoreUnavailable
from execution.store.urls import StoreKind, parse_store_url


async def open_cache_store(url: str) -> CacheStore:
    try:
        parsed = parse_store_url(url)
    except ValueError as error:
        raise StoreUnavailable(str(error)) from None
    if parsed.kind is StoreKind.MEMORY:
        from execution.cache.memory_store import MemoryCacheStore

        return MemoryCacheStore()
    from execution.cache.sql_store import SqlCacheStore
    from execution.store.sql.connect import open_engine

    return SqlCacheStore(await open_engine(parsed), parsed.printable)
