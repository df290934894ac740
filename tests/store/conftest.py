"""The store conformance suite's fixtures: every test runs once per kind of store.

`STORE_KINDS` lists the kinds; each kind has a fixture named `<kind>_store_url` giving the URL
`open_store` opens for one test. Adding a kind is one line in STORE_KINDS (plus its URL fixture
when it needs one). `make_store(**options)` opens a store of the test's kind (closed at the
end); `store` is one with default options.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from execution.store.base import RunStore
from execution.store.open import open_store
from tests.store.postgres import PostgresForTests

# The backends behind SQL: both run every test, and the SQL-only tests (migrations, URLs).
SQL_KINDS = ["sqlite", "postgres"]
# Every kind of store the conformance suite runs against: SQL and the in-memory store (persistence off).
STORE_KINDS = [*SQL_KINDS, "memory"]

MakeStore = Callable[..., Awaitable[RunStore]]


@pytest.fixture
def sqlite_store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'runs.db'}"


@pytest.fixture
async def postgres_store_url(tuned_postgres: PostgresForTests) -> str:
    return tuned_postgres.url(await tuned_postgres.emptied_shared_database())


@pytest.fixture
def memory_store_url() -> str:
    return "memory"


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(store_kind: str, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{store_kind}_store_url"))


@pytest.fixture
async def make_store(store_url: str) -> AsyncIterator[MakeStore]:
    opened: list[RunStore] = []

    async def make(**options: Any) -> RunStore:
        store = await open_store(store_url, **options)
        opened.append(store)
        return store

    yield make
    for store in opened:
        await store.close()


@pytest.fixture
async def store(make_store: MakeStore) -> RunStore:
    return await make_store()


@pytest.fixture
def fresh_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh' / 'runs.db'}"


@pytest.fixture
async def fresh_postgres_url(tuned_postgres: PostgresForTests) -> str:
    return tuned_postgres.url(await tuned_postgres.new_database())


@pytest.fixture(params=SQL_KINDS)
def fresh_sql_url(request: pytest.FixtureRequest) -> str:
    """A URL per SQL backend naming a database with no tables yet (migrations, opening)."""
    return str(request.getfixturevalue(f"fresh_{request.param}_url"))


@pytest.fixture
async def migrated_url(fresh_sql_url: str) -> str:
    """A database of each SQL backend that only the migrations have touched (opened once)."""
    store = await open_store(fresh_sql_url)
    await store.close()
    return fresh_sql_url
