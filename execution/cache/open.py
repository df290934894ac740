"""Where the node-output cache is kept: always in the runs' database.

`cache_store_beside(run_store)` is the server's: a SQL run store (SQLite or PostgreSQL) gets a
SqlCacheStore on the same engine and writer (table `cache_entries`, an Alembic revision of the
same schema, already migrated when the run store opened); any other (the memory run store,
persistence off) gets a MemoryCacheStore. `open_cache_store(url)` opens the cache alone, for the admin
commands (`flowexec cache stats | clear`), which need no run store. Refusals are
StoreUnavailable naming the URL without its password, as open_store's are.
"""

from __future__ import annotations

from execution.cache.store import CacheStore
from execution.store.base import RunStore, StoreUnavailable
from execution.store.urls import StoreKind, parse_store_url


def cache_store_beside(run_store: RunStore) -> CacheStore:
    """The cache in `run_store`'s database (close it first: the run store owns the engine)."""
    from execution.store.sql.store import SqlRunStore

    if isinstance(run_store, SqlRunStore):
        from execution.cache.sql_store import SqlCacheStore

        return SqlCacheStore.beside(run_store)
    from execution.cache.memory_store import MemoryCacheStore

    return MemoryCacheStore()


async def open_cache_store(url: str) -> CacheStore:
    """The cache alone in the database `url` names (its schema migrated); it owns its engine."""
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
