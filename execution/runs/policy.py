"""How the run manager treats runs: admission, queueing, watching, buffering, retention (policy as data)."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class RunPolicy:
    # Runs executing at once; beyond it a run waits QUEUED (FIFO).
    max_active_runs: int = 2000
    # Runs of one owner executing at once (0: no cap); beyond it the owner's runs wait QUEUED
    # while other owners' runs behind them go ahead.
    max_active_runs_per_owner: int = 0
    # Runs waiting at once, over all owners and per owner; beyond either: QueueFull.
    max_queued_runs: int = 1000
    max_queued_runs_per_owner: int = 100
    # A watch with nothing to send sends an empty batch this often (gateways cut silent streams).
    watch_keepalive_seconds: float = 15.0
    # Events a watch hands over at once, and their bytes (one event always goes): what a watcher
    # that stops reading holds, beside the one message grpc is sending it.
    watch_batch_events: int = 512
    watch_batch_bytes: int = 1024 * 1024
    # A live run keeps its recent events in memory for its watchers, up to both bounds; a
    # watcher further behind reads from the store. Only stored events leave the tail. As many
    # events as a write may hold (pending_events): a write that settles thousands of events at
    # once (a long commit) must not push the ones a watcher that keeps up has yet to send out of
    # memory (with 4,096, every 2000-node run's watcher read ~1,600 events back from the store).
    tail_events: int = 16384
    tail_bytes: int = 4 * 1024 * 1024
    # Events waiting for the store beyond which the run's reader waits for the writer (and so
    # the run for its reader: the engine's backpressure).
    pending_events: int = 16384
    # Events one write (one transaction) takes at most. A run that outpaces its store would
    # otherwise write everything in a few huge batches, the last of which starts only when the
    # run has ended (its commit then adds wholly to the run's time); capped, the store's work
    # overlaps the run's and the last write is small.
    write_batch_events: int = 1024
    pending_bytes: int = 32 * 1024 * 1024
    # Finished runs older than this are deleted (0: kept for ever), checked this often.
    retention_seconds: float = 30 * DAY
    retention_check_seconds: float = 3600.0
    # At start-up, runs the last process left unfinished are INTERRUPTED; resume them too?
    resume_interrupted: bool = False
    # Replicas sharing a store (PostgreSQL): a run's lease lasts this long unless its holder's
    # heartbeat (every third of it) renews it; then another replica takes the run over (checked
    # every half of it): interrupted, and resumed when `resume_interrupted`.
    lease_seconds: float = 15.0
