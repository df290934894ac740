"""PostgreSQL LISTEN/NOTIFY between replicas (the RunSignals of store.base).

One dedicated, direct asyncpg connection per process listens on one channel (LISTEN holds a
session: it cannot go through a transaction-pooling proxy such as PgBouncer in transaction
mode — give the replicas a direct URL). Payloads (postgres_batch.py): "e<run id>" after a batch
of the run committed, "c<reason>:<run id>" to cancel it. A listener connection that breaks is
reopened on the next wait; watchers also look at the store on their own every poll period, so a
lost notification costs a delay, never an event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from execution.ids import RunId
from execution.store.base import RunSignals
from execution.store.sql.postgres_batch import CANCEL_PREFIX, EVENTS_PREFIX, NOTIFY_CHANNEL

log = logging.getLogger("flowexec.store")


class PostgresSignals(RunSignals):
    def __init__(self, dsn: Callable[[], str]) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._on_cancel: Callable[[RunId, str], None] = lambda run_id, reason: None

    async def start(self, on_cancel: Callable[[RunId, str], None]) -> None:
        self._on_cancel = on_cancel
        await self._listen()

    async def _listen(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            return
        self._conn = await asyncpg.connect(self._dsn())
        await self._conn.add_listener(NOTIFY_CHANNEL, self._notified)

    def _notified(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        if payload.startswith(EVENTS_PREFIX):
            for event in self._waiters.get(payload[len(EVENTS_PREFIX):], ()):
                event.set()
        elif payload.startswith(CANCEL_PREFIX):
            reason, _, run_id = payload[len(CANCEL_PREFIX):].partition(":")
            self._on_cancel(RunId(run_id), reason)

    async def wait_for_events(self, run_id: RunId, timeout: float) -> bool:
        try:
            await self._listen()
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
            log.warning("run notifications unavailable (watchers poll): %s", type(err).__name__)
        event = asyncio.Event()
        waiters = self._waiters.setdefault(run_id, set())
        waiters.add(event)
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(run_id, None)

    async def request_cancel(self, run_id: RunId, reason: str) -> None:
        await self._listen()
        assert self._conn is not None
        await self._conn.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, f"{CANCEL_PREFIX}{reason}:{run_id}")

    async def stop(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
