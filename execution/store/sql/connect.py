"""Open a SQL store: engine, reachability check, migrations — or StoreUnavailable saying why.

`open_engine` brings the whole schema (the runs' tables and the node-output cache's) to the
newest revision. The server's cache then works on the run store's engine (execution.cache.open);
the cache admin commands open one of their own.
"""

from __future__ import annotations

from alembic.util.exc import CommandError
from sqlalchemy.ext.asyncio import AsyncEngine

from execution.store.base import StoreUnavailable
from execution.store.sql import migrate
from execution.store.sql.engine import make_engine
from execution.store.sql.errors import store_errors
from execution.store.sql.store import SqlRunStore
from execution.store.urls import StoreUrl


async def open_engine(url: StoreUrl) -> AsyncEngine:
    """An engine on the database `url` names, its schema migrated to the newest revision."""
    if url.sqlite_path is not None:
        try:
            url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreUnavailable(f"run store {url.printable}: cannot create the directory "
                                   f"{url.sqlite_path.parent}: {error.strerror or error}") from None
    engine = make_engine(url)
    try:
        with store_errors(url.printable):
            try:
                await migrate.upgrade(engine)
            except CommandError as error:
                # Typically a revision this flowexec does not know: the database is newer.
                raise StoreUnavailable(f"run store {url.printable}: cannot apply the schema migrations: {error} "
                                       f"(this flowexec's newest revision is {migrate.head_revision()})") from None
    except BaseException:
        await engine.dispose()
        raise
    return engine


async def open_sql_store(url: StoreUrl, *, max_image_bytes: int) -> SqlRunStore:
    return SqlRunStore(await open_engine(url), url.printable, max_image_bytes=max_image_bytes,
                       sqlite_path=url.sqlite_path)
