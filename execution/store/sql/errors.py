"""The SQL store's one error boundary: driver and SQLAlchemy errors become ours.

    Exception
    ├── StoreUnavailable   the database cannot be reached, refused us, or is not a database
    │                      (connection refused, wrong password, file not a database, disk full,
    │                      connection lost mid-call); names the URL without its password
    ├── ValueError         the call broke the store's rules: a seq stored twice, a value the
    │                      database cannot hold (nothing of the call is written)
    └── KeyError           the run does not exist (append, update_run)

Messages carry the driver's first line only: SQLAlchemy's own text repeats the statement and
its parameters (event payloads), which must not end up in logs.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc

from execution.store.base import StoreUnavailable

_MAX_REASON = 300


def reason(error: BaseException) -> str:
    """The driver's message, first line, bounded; never SQLAlchemy's statement and parameters."""
    inner = error.orig if isinstance(error, exc.DBAPIError) and error.orig is not None else error
    text = str(inner).strip().splitlines()[0] if str(inner).strip() else type(inner).__name__
    return text[:_MAX_REASON]


@contextlib.contextmanager
def store_errors(printable_url: str) -> Iterator[None]:
    """Translate errors raised inside into the hierarchy above."""
    try:
        yield
    except exc.IntegrityError as error:
        raise ValueError(f"refused by the store: {reason(error)}") from None
    except exc.DataError as error:
        raise ValueError(f"a value the store cannot hold: {reason(error)}") from None
    except (exc.DBAPIError, exc.InterfaceError, exc.TimeoutError) as error:
        raise StoreUnavailable(f"run store {printable_url} unavailable: {reason(error)}") from error
    # Batches and events go through the driver's own connection (or the batch writer's): its errors arrive raw.
    except (asyncpg.IntegrityConstraintViolationError, sqlite3.IntegrityError) as error:
        raise ValueError(f"refused by the store: {reason(error)}") from None
    except (asyncpg.DataError, sqlite3.DataError) as error:
        raise ValueError(f"a value the store cannot hold: {reason(error)}") from None
    except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error, OSError) as error:
        raise StoreUnavailable(f"run store {printable_url} unavailable: {reason(error)}") from error
