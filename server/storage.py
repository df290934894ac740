"""The run store the settings name (FLOWEXEC_DATABASE_URL), opened at start-up.

`memory` is persistence off (execution.store.memory). A URL this build cannot open stops the
server with a message naming it — without its password.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from execution.store.base import RunStore
from execution.store.memory import MemoryRunStore
from server.settings import MEMORY_STORE, ServerSettings


class StoreConfigError(Exception):
    """The configured store cannot be used; str() is the message to print (no password)."""


def redacted(url: str) -> str:
    """`url` with its password replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


async def open_run_store(settings: ServerSettings) -> RunStore:
    url = settings.database_url.strip()
    if url == MEMORY_STORE:
        return MemoryRunStore(max_bytes=settings.memory_store_max_bytes)
    raise StoreConfigError(f"FLOWEXEC_DATABASE_URL={redacted(url)}: this build stores runs only in memory "
                           f"(FLOWEXEC_DATABASE_URL={MEMORY_STORE})")
