"""The lease heartbeat: renews this process's run claims from a thread of its own.

A heartbeat on the server's event loop is late exactly when the loop is saturated — and a lease
that expires under a live run lets a second replica run it again (LangGraph's users were billed
twice that way). So renewal runs in its own thread, with its own event loop and its own direct
asyncpg connection: one UPDATE per beat for all the claims this process holds, every third of
the lease. The runs it holds are read from the manager (a snapshot of plain values); a claim the
UPDATE did not find again (another replica took the run over) is reported back to the loop,
which stops that run — its writes are refused by their fence anyway.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

import asyncpg

log = logging.getLogger("flowexec.runs")

_RENEW = ("UPDATE run_claims c SET expires_at = $1 "
          "FROM unnest($3::text[], $4::int[]) AS l(run_id, attempt) "
          "WHERE c.run_id = l.run_id AND c.attempt = l.attempt AND c.holder = $2 RETURNING c.run_id")

# (run id, attempt) of each claim this process holds now.
Held = Callable[[], Sequence[tuple[str, int]]]


class Heartbeat:
    def __init__(self, dsn: str, holder: str, lease_seconds: float, held: Held,
                 on_lost: Callable[[list[str]], None]) -> None:
        """`on_lost` is called in the heartbeat's thread: it must hand over to the loop itself."""
        self._dsn = dsn
        self._holder = holder
        self._lease = lease_seconds
        self._held = held
        self._on_lost = on_lost
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name="runs-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._lease)

    def _main(self) -> None:
        asyncio.run(self._beat())

    async def _beat(self) -> None:
        conn: asyncpg.Connection | None = None
        while not self._stop.wait(self._lease / 3):
            held = list(self._held())
            if not held:
                continue
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(self._dsn, timeout=self._lease / 3)
                renewed = {row[0] for row in await conn.fetch(
                    _RENEW, time.time() + self._lease, self._holder, [h[0] for h in held], [h[1] for h in held],
                    timeout=self._lease / 3)}
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
                log.warning("lease heartbeat failed (retrying): %s", type(err).__name__)
                if conn is not None:
                    conn.terminate()
                    conn = None
                continue
            lost = [run_id for run_id, _ in held if run_id not in renewed]
            if lost:
                self._on_lost(lost)
        if conn is not None:
            await conn.close()
