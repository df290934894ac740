"""The run store the settings name (FLOWEXEC_DATABASE_URL), opened at start-up.

`memory` is persistence off (execution.store.memory); `sqlite:///path.db` and
`postgresql://…` open the SQL store (execution.store.open: migrations applied). A store that
cannot be opened (unreachable, wrong password, not a database) stops the server with a message
naming the URL — without its password.
"""

from __future__ import annotations

from execution.store.base import RunStore, StoreUnavailable
from execution.store.memory import MemoryRunStore
from execution.store.open import open_store, sqlite_url
from server.settings import MEMORY_STORE, ServerSettings


class StoreConfigError(Exception):
    """The configured store cannot be used; str() is the message to print (no password)."""


async def open_run_store(settings: ServerSettings) -> RunStore:
    url = settings.database_url.strip() or sqlite_url(settings.data_dir)
    if url == MEMORY_STORE:
        return MemoryRunStore(max_bytes=settings.memory_store_max_bytes)
    try:
        return await open_store(url)
    except StoreUnavailable as err:  # its message names the URL without the password
        raise StoreConfigError(f"FLOWEXEC_DATABASE_URL: {err}") from None
