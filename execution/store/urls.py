"""Store URLs: which backend a URL names, its SQLAlchemy form, and its printable form.

Accepted: `memory`; `sqlite:///relative/path.db` or `sqlite:////absolute/path.db`;
`postgresql://user:pass@host:port/db` (also `postgres://`), including the unix-socket form
`postgresql://user:@/db?host=/socket/dir`. The `+driver` forms SQLAlchemy knows
(`sqlite+aiosqlite://`, `postgresql+asyncpg://`) are accepted as they are.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class StoreKind(enum.Enum):
    MEMORY = "memory"
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class StoreUrl:
    kind: StoreKind
    # The SQLAlchemy URL with its async driver (None for memory).
    sqlalchemy: URL | None
    # For messages and logs: the URL with its password masked.
    printable: str

    @property
    def sqlite_path(self) -> Path | None:
        if self.kind is not StoreKind.SQLITE or self.sqlalchemy is None or not self.sqlalchemy.database:
            return None
        return Path(self.sqlalchemy.database)


# scheme://user:PASSWORD@… — the password ends at the first "@", as SQLAlchemy parses it.
_PASSWORD = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*:)[^@]+@")


def redact(url: str) -> str:
    """`url` as written, with any password replaced by ***."""
    return _PASSWORD.sub(r"\1***@", url)


def parse_store_url(url: str) -> StoreUrl:
    """The backend and SQLAlchemy URL `url` names; ValueError (password masked) when it names none."""
    text = url.strip()
    if text == "memory":
        return StoreUrl(StoreKind.MEMORY, None, "memory")
    printable = redact(text)
    try:
        parsed = make_url(text)
    except (ArgumentError, ValueError):
        raise ValueError(f"not a store URL: {printable!r} (use sqlite:///path.db, postgresql://… or memory)") from None
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite" and driver in ("", "aiosqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError(f"{printable!r}: a SQLite store needs a file path (sqlite:///path/to/runs.db); "
                             "use `memory` for a store that lives in the process")
        return StoreUrl(StoreKind.SQLITE, parsed.set(drivername="sqlite+aiosqlite"), printable)
    if backend in ("postgresql", "postgres") and driver in ("", "asyncpg"):
        return StoreUrl(StoreKind.POSTGRESQL, parsed.set(drivername="postgresql+asyncpg"), printable)
    raise ValueError(f"unsupported store URL {printable!r} (use sqlite:///path.db, postgresql://… or memory)")
