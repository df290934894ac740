"""PostgreSQL LISTEN/NOTIFY between replicas (the RunSignals of store.base).

One dedicated, direct asyncpg connection per process listens on one channel (LISTEN holds a
session: it cannot go through a transaction-pooling proxy such as PgBouncer in transaction
mode — give the replicas a direct URL). Payloads (postgres_batch.py): "e<run id>" after a batch
of the run committed, "c<reason>:<run id>" to cancel it. A listener connection that breaks is
reopened on the next wait; watchers also look at the store on their own every poll period, so a
lost notification costs a delay, never an event.

How a batch's new events are announced: PostgreSQL serialises the commits of transactions that
notified (a database-wide lock on the notification queue, held to the end of the commit), so a
pg_notify in every batch's statement made the batches of concurrent runs queue on one another
(bench.notify_figures). One batch at a time per process notifies in its own statement —
delivered at its commit, the soonest (`claim_inline`); the batches committed meanwhile are
announced after their commit, grouped: one statement names every run announced while the last
one was under way (`announce`), on a connection of its own that commits asynchronously (a
notification is a hint). A lone run's batches thus notify as before; many runs' take the lock
about twice per round trip instead of once per batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from execution.ids import RunId
from execution.store.base import RunSignals
from execution.store.sql.postgres_batch import CANCEL_PREFIX, EVENTS_PREFIX, NOTIFY_CHANNEL

log = logging.getLogger("flowexec.store")

_ANNOUNCE = "SELECT pg_notify($1, $2 || run_id) FROM unnest($3::text[]) AS a(run_id)"


class PostgresSignals(RunSignals):
    def __init__(self, dsn: Callable[[], str]) -> None:
        self._dsn = dsn
        self._conn: asyncpg.Connection | None = None
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._on_cancel: Callable[[RunId, str], None] = lambda run_id, reason: None
        self._inline = False
        self._announced: set[str] = set()
        self._announcer: asyncio.Task[None] | None = None
        self._notifier: asyncpg.Connection | None = None

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

    def claim_inline(self) -> bool:
        """True when the caller's batch may notify in its own statement (no other batch of this
        process does now); it then calls release_inline once the statement is over. False: it
        calls announce after its commit."""
        if self._inline:
            return False
        self._inline = True
        return True

    def release_inline(self) -> None:
        self._inline = False

    def announce(self, run_id: RunId) -> None:
        """A batch of the run committed without notifying: wake the other processes' watchers of
        it (soon: with the runs announced while the statement under way runs)."""
        self._announced.add(run_id)
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.get_running_loop().create_task(self._announce(), name="runs-announce")

    async def _announce(self) -> None:
        while self._announced:
            run_ids, self._announced = list(self._announced), set()
            try:
                if self._notifier is None or self._notifier.is_closed():
                    self._notifier = await asyncpg.connect(self._dsn(), timeout=5,
                                                           server_settings={"synchronous_commit": "off"})
                await self._notifier.execute(_ANNOUNCE, NOTIFY_CHANNEL, EVENTS_PREFIX, run_ids, timeout=5)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("run notifications not sent (watchers poll): %s", type(err).__name__)
                if self._notifier is not None:
                    self._notifier.terminate()
                    self._notifier = None

    async def request_cancel(self, run_id: RunId, reason: str) -> None:
        await self._listen()
        assert self._conn is not None
        await self._conn.execute("SELECT pg_notify($1, $2)", NOTIFY_CHANNEL, f"{CANCEL_PREFIX}{reason}:{run_id}")

    async def stop(self) -> None:
        if self._announcer is not None:  # the last batches' announcements go out first
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._announcer, timeout=1.0)
            self._announcer = None
        if self._notifier is not None:
            self._notifier.terminate()
            self._notifier = None
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
