"""open_store(url): the RunStore a URL names, ready to use (migrations applied).

`memory` → the in-process store (persistence off); `sqlite:///path.db` → SQLite (the file
and its directory are created); `postgresql://…` → PostgreSQL. A URL that names no store, or a
database that cannot be opened (unreachable, wrong password, not a database, a directory that
cannot be created, a schema newer than this flowexec) raises StoreUnavailable with a message
that names the URL without its password — what the server prints when it refuses to start.
"""

from __future__ import annotations

import os
from pathlib import Path

from execution.store.base import RunStore, StoreUnavailable
from execution.store.urls import StoreKind, parse_store_url

DEFAULT_MAX_IMAGE_BYTES = 16 * 1024 * 1024
DATABASE_FILE = "flowexec.db"


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/flowexec, else ~/.local/share/flowexec."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "flowexec"


def sqlite_url(data_dir: Path) -> str:
    """The embedded default: a SQLite file in `data_dir`."""
    return f"sqlite:///{(data_dir / DATABASE_FILE).resolve()}"


async def open_store(url: str, *, max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES) -> RunStore:
    """The store `url` names. Outputs' images over `max_image_bytes` are stored without bytes."""
    try:
        parsed = parse_store_url(url)
    except ValueError as error:
        raise StoreUnavailable(str(error)) from None
    if parsed.kind is StoreKind.MEMORY:
        from execution.store.memory import MemoryRunStore  # type: ignore[import-not-found,unused-ignore]

        return MemoryRunStore()  # type: ignore[no-any-return,unused-ignore]
    from execution.store.sql.connect import open_sql_store

    return await open_sql_store(parsed, max_image_bytes=max_image_bytes)
