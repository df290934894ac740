"""A live run's group-commit writer: one `append` per batch, no timer.

The writer takes everything the run ingested since its last commit as one batch, commits it,
and takes the next: while a commit runs, the next batch gathers. When the store is
unavailable the batch is given up (the run goes on, its record says it is not fully stored,
one ERROR line says so) and the next batch is tried as usual, so storing resumes when the
database is back. A run whose record is not stored yet (LiveRun.unstored) has it created
with its first batch, in the same transaction (and with the next one while that fails).

The final state stored after an outage is one more batch (no events), fenced like every other:
a replica cut off from the database for longer than the lease may find, once it is back, that
another replica took the run over meanwhile (and ended it INTERRUPTED, maybe resumed it); its
late final state is then refused (LeaseLost) and the new owner's stands.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from execution.runs.live import LiveRun
from execution.store.base import LeaseLost, RunStore, RunUpdate, StoreUnavailable

log = logging.getLogger("flowexec.runs")

# Told after each commit whether the store took it (health reporting).
StoreObserver = Callable[[bool], None]
# Told when a fenced write was refused: another replica holds the run now (the run must stop).
LeaseObserver = Callable[[LiveRun], None]
# Seconds between attempts to store a run's final state after the database went away (~30 min in all).
FINAL_STATE_RETRIES = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, *(60.0,) * 29)


async def write_run(live: LiveRun, store: RunStore, observe: StoreObserver,
                    lease_lost: LeaseObserver = lambda live: None) -> None:
    """Write `live`'s events until its last one is settled, then close it (and, when some of its
    writes failed, go on trying to store its final state — unless its lease was lost: the run
    is another replica's then, and nothing more of it is written from here)."""
    try:
        while True:
            write = live.take_write()
            if write is None:
                if live.settled:
                    break
                await live.wait_for_writes()
                continue
            try:
                # The run's record goes with its first batch when the caller did not store it first.
                await store.append(live.run_id, write.events, write.nodes, write.update, create=live.unstored,
                                   fence=live.fence)
                live.unstored = None
                live.claimed = live.fence is not None
            except LeaseLost:
                if not live.lease_lost:
                    log.error("run %s: lease lost (another replica took the run over): stopping it here", live.run_id)
                    live.lease_lost = True
                    lease_lost(live)
                live.settle(write, stored=False)
            except StoreUnavailable as err:
                if live.fully_stored:
                    log.error("run %s: events not stored, the run store is unavailable: %s", live.run_id, err)
                live.settle(write, stored=False)
                observe(False)
            except Exception:  # a store bug must not leave the run's watchers waiting
                log.exception("run %s: events not stored", live.run_id)
                live.settle(write, stored=False)
                observe(False)
            else:
                live.settle(write, stored=True)
                observe(True)
            live.created.set()  # the record is stored, or its first try is over
    finally:
        live.created.set()  # a run that ends before its first write was tried: nobody waits for it
        live.close()
    if not live.fully_stored and not live.lease_lost:
        await _mark_incomplete(live, store, observe)


async def _mark_incomplete(live: LiveRun, store: RunStore, observe: StoreObserver) -> None:
    """Store the run's final state with fully_stored=False (its last write may have been one
    that failed), retrying while the database is away — else the run would stay RUNNING in the
    store until the next start-up interrupts it. Fenced by the run's lease (when it has one)."""
    update = RunUpdate(state=live.final_state, finished_at=live.record.finished_at, last_seq=live.last_seq,
                       counts=live.counts, fully_stored=False)
    delays = iter(FINAL_STATE_RETRIES)
    while True:
        try:
            # A record never stored is created as it ends (with its claim, under a fence).
            await store.append(live.run_id, [], [], update, create=live.unstored, fence=live.fence)
        except LeaseLost:
            live.lease_lost = True
            log.error("run %s: lease lost (another replica took the run over while the database was away): "
                      "its final state here is not stored", live.run_id)
            return
        except ValueError:
            if live.unstored is None:
                raise
            # The record was stored after all (a commit whose answer was lost): update it.
            live.unstored = None
            continue
        except Exception as err:
            delay = next(delays, None)
            if delay is None:
                break
            log.warning("run %s: its final state is not stored yet (retrying in %.0f s): %s", live.run_id, delay, err)
            observe(False)
            await asyncio.sleep(delay)
        else:
            live.unstored = None
            observe(True)
            return
    log.error("run %s: its final state could not be stored; the next start-up will mark it interrupted", live.run_id)
