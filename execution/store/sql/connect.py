"""Open a SQL store: engine, reachability check, migrations — or StoreUnavailable saying why."""

from __future__ import annotations

from alembic.util.exc import CommandError

from execution.store.base import StoreUnavailable
from execution.store.sql import migrate
from execution.store.sql.engine import make_engine
from execution.store.sql.errors import store_errors
from execution.store.sql.store import SqlRunStore
from execution.store.urls import StoreUrl


async def open_sql_store(url: StoreUrl, *, max_image_bytes: int) -> SqlRunStore:
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
    return SqlRunStore(engine, url.printable, max_image_bytes=max_image_bytes, sqlite_path=url.sqlite_path)
