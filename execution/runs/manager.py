"""RunManager: runs as stored resources — start, watch, get, list, cancel, resume.

A run is created in the store before anything executes, so it outlives its caller: StartRun
returns at once, ExecuteFlow is start + watch, and any number of watchers read the same
events. A caller that watches the run itself (ExecuteFlow) may leave the record to the run's
writer (`stored_first=False`): its first events then need not wait for that commit, and the
calls that read the store wait for the record where they must (`_created`).

Each executing run has one reader task (it consumes the engine's event stream, so the engine's
backpressure applies to it) and one writer task (group commit into the store); see
execution.runs.live for how watchers and the durability rule fit between them.

Ownership: every call names the caller; another owner's run is RunNotFound, exactly like a
missing one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Coroutine, Sequence
from dataclasses import dataclass, replace

from execution.engine import Engine, PreparedRun
from execution.events import NodeStatus, RunFailed, RunStarted, StatusReason
from execution.graph.model import FlowRequest
from execution.ids import RunId, new_run_id
from execution.quoting import shorten
from execution.runs import closing
from execution.runs.admission import Admission, Ticket
from execution.runs.codec import RunCodec
from execution.runs.errors import RunNotFound, RunNotResumable
from execution.runs.live import LiveRun
from execution.runs.ownership import Ownership
from execution.runs.policy import RunPolicy
from execution.runs.recovery import interrupt
from execution.runs.watch import watch_live, watch_stored
from execution.runs.writer import StoreObserver, write_run
from execution.store.base import Fence, LeaseLost, NodeRecord, PageCursor, RunRecord, RunSignals, RunState, RunStore, StoredEvent

log = logging.getLogger("flowexec.runs")

# CancelRun of a run executing in another replica: how long the call waits for its end.
CANCEL_WAIT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class RunPage:
    runs: list[RunRecord]
    # Where the next page starts; None on the last page.
    next: PageCursor | None


class RunManager:
    def __init__(self, engine: Engine, store: RunStore, codec: RunCodec, policy: RunPolicy | None = None,
                 observe_store: StoreObserver | None = None) -> None:
        self.engine = engine
        self.store = store
        self.policy = policy or RunPolicy()
        self._codec = codec
        self._observe: StoreObserver = observe_store or (lambda ok: None)
        self._admission = Admission(self.policy)
        self._live: dict[RunId, LiveRun] = {}
        self._by_key: dict[tuple[str, str], LiveRun] = {}  # live runs started with an idempotency key
        self._tasks: set[asyncio.Task[None]] = set()
        self._retention: asyncio.Task[None] | None = None
        self._ownership = Ownership(store.leases, self.policy)

    @property
    def live_runs(self) -> int:
        return len(self._live)

    # -- start ----------------------------------------------------------------------------

    async def start(self, request: FlowRequest, owner: str, *, idempotency_key: str | None = None,
                    encoded_request: bytes | None = None, stored_first: bool = True) -> RunRecord:
        """Validate, store and start (or queue) a run. Raises GraphValidationError before
        anything is stored, QueueFull beyond the queue's bounds, StoreUnavailable.

        `encoded_request`: the request's wire form, when the caller has it (else the codec
        encodes it). `stored_first=False` (no idempotency key): start at once and let the run's
        writer store the record — for a caller that watches the run's events itself; a store
        that is unavailable then makes it a run that is not fully stored, not a refused call."""
        prepared = self.engine.prepare(request)
        if idempotency_key:
            earlier = self._by_key.get((owner, idempotency_key))
            if earlier is not None:  # a retry while the run is queued or running: no queue place needed
                return await self.store.get_run(earlier.run_id) or earlier.record
        encoded = encoded_request if encoded_request is not None else self._codec.encode_request(request)
        return await self._start(prepared, owner, encoded, idempotency_key=idempotency_key,
                                 stored_first=stored_first or bool(idempotency_key))

    async def resume(self, run_id: RunId, owner: str) -> RunRecord:
        """A new run, linked to `run_id`, that runs the old run's planned nodes that did not
        complete, every stored COMPLETE output feeding it."""
        await self._created(run_id)
        parent = await self.store.get_run(run_id, owner)
        if parent is None:
            raise RunNotFound(run_id)
        if not parent.state.finished:
            raise RunNotResumable(f"run {run_id} is {parent.state.value}: only a finished run can be resumed")
        records = await self.store.get_nodes(run_id, include_images=True)
        outputs = {r.node_id: r.output for r in records if r.status is NodeStatus.COMPLETE and r.output is not None}
        run_only = [n for n in parent.planned_node_ids if n not in outputs]
        prepared = self.engine.prepare_resume(self._codec.decode_request(parent.request), run_only, outputs)
        return await self._start(prepared, owner, parent.request, parent=parent.run_id)

    async def _start(self, prepared: PreparedRun, owner: str, request: bytes, *, idempotency_key: str | None = None,
                     parent: RunId | None = None, stored_first: bool = True) -> RunRecord:
        # The run is its owner's: the engine scopes cache entries (and budgets) by it.
        prepared = replace(prepared, request=replace(prepared.request, options=replace(prepared.request.options,
                                                                                       owner=owner)))
        ticket = self._admission.ticket(owner)
        now = time.time()
        record = RunRecord(
            run_id=new_run_id(), owner=owner, flow_id=prepared.request.flow_id,
            state=RunState.RUNNING if ticket.active else RunState.QUEUED, request=request,
            planned_node_ids=prepared.plan.planned, created_at=now, parent_run_id=parent,
            dry_run=prepared.request.options.dry_run, started_at=now if ticket.active else None,
            idempotency_key=idempotency_key or None,
        )
        fence = self._ownership.new_fence()
        if stored_first:
            try:
                stored = await self.store.create_run(record)
                if fence is not None and stored.run_id == record.run_id:
                    # A replica dying before this leaves a run without claim: taken over once
                    # a lease has passed since its creation.
                    await self.store.leases.claim(record.run_id, fence)  # type: ignore[union-attr]
            except BaseException:
                self._give_back(ticket)
                raise
            if stored.run_id != record.run_id:  # the idempotency key named an earlier run
                self._give_back(ticket)
                return stored
        live = LiveRun(record, prepared, self._codec, self.policy, stored=stored_first)
        live.fence = fence
        live.claimed = stored_first and fence is not None
        self._live[live.run_id] = live
        if idempotency_key:
            self._by_key[(owner, idempotency_key)] = live
        self._spawn(write_run(live, self.store, self._observe, self._stop_lost), f"runs-writer-{live.run_id}")
        if self._admission.file(ticket, live):
            if not ticket.active:
                live.mark_started()
                record = replace(record, state=RunState.RUNNING, started_at=live.record.started_at)
            self._launch(live)
        # The engine logs each run's start; this line says who started it, and whether it waits.
        log.log(logging.INFO if parent or not ticket.active else logging.DEBUG, "run %s %s: flow=%s owner=%s%s",
                live.run_id, record.state.value, shorten(prepared.request.flow_id), shorten(owner),
                f" resumes {parent}" if parent else "")
        return record

    async def _created(self, run_id: RunId) -> None:
        """Until the record of a live run left to its writer has been stored (or tried)."""
        live = self._live.get(run_id)
        if live is not None:
            await live.created.wait()

    def _give_back(self, ticket: Ticket) -> None:
        successor = self._admission.give_back(ticket)
        if successor is not None:
            successor.mark_started()
            self._launch(successor)

    def _launch(self, live: LiveRun) -> None:
        prepared = live.prepared
        assert prepared is not None
        live.prepared = None
        live.add_cached(prepared.plan.cached)
        try:
            live.flow_run = self.engine.start(prepared, run_id=live.run_id, parent_run_id=live.record.parent_run_id)
        except Exception:  # an engine bug: the run fails as a whole, nothing else does
            log.exception("run %s: could not start", live.run_id)
            live.ingest(closing.numbered(live.run_id, live.last_seq, [
                _started(live, prepared), RunFailed("internal engine error: the run could not start")]))
            self._spawn(self._retire(live), f"runs-retire-{live.run_id}")
            return
        self._spawn(self._read(live), f"runs-reader-{live.run_id}")

    async def _read(self, live: LiveRun) -> None:
        """The run's one reader: engine events → live run (and so watchers and the writer)."""
        flow_run = live.flow_run
        assert flow_run is not None
        try:
            async for batch in flow_run.batches():
                live.ingest(batch)
                if not live.has_room():
                    await live.wait_for_room()
        except Exception:
            log.exception("run %s: reading its events failed", live.run_id)
            await flow_run.cancel(StatusReason.INTERNAL)
        finally:
            if not live.ended:  # the stream broke off: end the run for its watchers and the store
                live.ingest(closing.numbered(live.run_id, live.last_seq, [RunFailed("internal engine error")]))
            await self._retire(live)

    async def _retire(self, live: LiveRun) -> None:
        """A run stopped executing: its slot goes to the next queued run; once its last event
        is stored it is no longer live."""
        successor = self._admission.finished(live.owner)
        if successor is not None:
            successor.mark_started()
            self._launch(successor)
        await live.closed.wait()
        self._forget(live)
        live.flow_run = None  # a watcher still sending its last events does not keep the run's state

    def _spawn(self, coro: Coroutine[object, object, None], name: str) -> None:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- read -----------------------------------------------------------------------------

    def watch(self, run_id: RunId, owner: str, after_seq: int = 0) -> AsyncIterator[list[StoredEvent]]:
        """The run's events with seq > after_seq, in batches, gap-free; ends after its last
        event. An empty batch is a keepalive. Raises RunNotFound (at the first step)."""
        return self._watch(run_id, owner, after_seq)

    async def _watch(self, run_id: RunId, owner: str, after_seq: int) -> AsyncIterator[list[StoredEvent]]:
        live = self._live.get(run_id)
        record = None
        if live is None:
            record = await self.store.get_run(run_id, owner)
            if record is None:
                raise RunNotFound(run_id)
            live = self._live.get(run_id)  # it may have gone live while we asked
        if live is not None:
            if live.owner != owner:
                raise RunNotFound(run_id)
            events = watch_live(live, self.store, after_seq, self.policy)
        else:
            assert record is not None
            signals = self.store.signals
            events = watch_stored(record, self.store, after_seq, self.policy, lambda: self._live.get(run_id),
                                  *([signals.wait_for_events] if signals is not None else []))
        async for batch in events:
            yield batch

    async def get(self, run_id: RunId, owner: str, *, include_images: bool = False) -> tuple[RunRecord, list[NodeRecord]]:
        """The run and a record per planned node (PENDING where none is stored yet), then the
        records of nodes fed from cached outputs."""
        await self._created(run_id)
        record = await self.store.get_run(run_id, owner)
        if record is None:
            raise RunNotFound(run_id)
        stored = {n.node_id: n for n in await self.store.get_nodes(run_id, include_images=include_images)}
        nodes = [stored.pop(n) if n in stored else NodeRecord(n, NodeStatus.PENDING) for n in record.planned_node_ids]
        return record, nodes + list(stored.values())

    async def list_runs(self, owner: str, *, flow_id: str = "", states: Sequence[RunState] = (), page_size: int = 50,
                   after: PageCursor | None = None) -> RunPage:
        for live in [live for live in self._live.values() if live.owner == owner and not live.created.is_set()]:
            await live.created.wait()
        runs = await self.store.list_runs(owner, flow_id=flow_id, states=states, page_size=page_size + 1, after=after)
        if len(runs) <= page_size:
            return RunPage(runs, None)
        runs = runs[:page_size]
        return RunPage(runs, PageCursor(runs[-1].created_at, runs[-1].run_id))

    # -- cancel ---------------------------------------------------------------------------

    async def cancel(self, run_id: RunId, owner: str, reason: StatusReason = StatusReason.CLIENT_CANCELLED) -> RunRecord:
        """Cancel the run (idempotent) and return it once its last event is stored. A run
        executing in another process sharing the store is asked to stop through the store's
        signals."""
        signals = self.store.signals
        if signals is not None and run_id not in self._live:
            record = await self.store.get_run(run_id, owner)
            if record is None:
                raise RunNotFound(run_id)
            if record.state.finished:
                return record
            await signals.request_cancel(run_id, reason.value)
            return await self._until_finished(record, signals)
        await self.cancel_live(run_id, owner, reason)
        record = await self.store.get_run(run_id, owner)
        if record is None:
            raise RunNotFound(run_id)
        return record

    async def _until_finished(self, record: RunRecord, signals: RunSignals) -> RunRecord:
        """The run once finished in the store (its executing replica stopped it, or, dead, was
        taken over after its lease), or as it is after CANCEL_WAIT_SECONDS."""
        deadline = time.monotonic() + CANCEL_WAIT_SECONDS
        while not record.state.finished and time.monotonic() < deadline:
            await signals.wait_for_events(record.run_id, 0.5)
            record = await self.store.get_run(record.run_id) or record
        return record

    def _cancel_asked(self, run_id: RunId, reason: str) -> None:
        """Another replica asks for the cancel of a run (its caller's ownership checked there)."""
        live = self._live.get(run_id)
        if live is not None:
            self._spawn(self._cancel(live, StatusReason(reason)), f"runs-cancel-{run_id}")

    async def cancel_live(self, run_id: RunId, owner: str, reason: StatusReason) -> None:
        """Cancel the run if this process holds it (executing or queued); reads nothing from the
        store (a dropped ExecuteFlow call, also while the database is away)."""
        live = self._live.get(run_id)
        if live is not None and live.owner == owner:
            await self._cancel(live, reason)

    async def _cancel(self, live: LiveRun, reason: StatusReason) -> None:
        if live.flow_run is not None:
            await live.flow_run.cancel(reason)
        elif self._admission.withdraw(live):
            self._end_queued(live, reason)
        await live.closed.wait()
        self._forget(live)

    def _forget(self, live: LiveRun) -> None:
        """The run is no longer live: it is found in the store only."""
        if self._live.pop(live.run_id, None) is not None and live.fence is not None and live.claimed \
                and not live.lease_lost:
            self._spawn(self._release(live.run_id, live.fence), f"runs-release-{live.run_id}")
        key = live.record.idempotency_key
        if key and self._by_key.get((live.owner, key)) is live:
            del self._by_key[(live.owner, key)]

    def _end_queued(self, live: LiveRun, reason: StatusReason) -> None:
        """A run cancelled before it left the queue never started: its events are written here."""
        prepared = live.prepared
        assert prepared is not None
        live.prepared = None
        plan = prepared.plan
        live.ingest(closing.numbered(live.run_id, live.last_seq, [
            _started(live, prepared),
            *closing.ending(plan.planned, {}, plan.cached, reason, closing.CANCELLED_MESSAGE, self.engine.limits),
        ]))

    # -- ownership across replicas (execution.runs.ownership) --------------------------------

    async def _release(self, run_id: RunId, fence: Fence) -> None:
        try:
            await self.store.leases.release(run_id, fence)  # type: ignore[union-attr]
        except Exception as err:  # a stale claim of a finished run is never taken over
            log.warning("run %s: its claim was not released: %s", run_id, err)

    def _stop_lost(self, live: LiveRun) -> None:
        """Another replica holds the run now: stop executing it here (its writes are refused)."""
        live.lease_lost = True
        if live.flow_run is not None:
            self._spawn(live.flow_run.cancel(StatusReason.INTERNAL), f"runs-lost-{live.run_id}")
        elif self._admission.withdraw(live):
            self._end_queued(live, StatusReason.INTERNAL)

    def _leases_lost(self, run_ids: list[str]) -> None:
        for run_id in run_ids:
            live = self._live.get(RunId(run_id))
            if live is not None and live.claimed and not live.lease_lost:
                log.error("run %s: lease lost (not renewed in time): stopping it here", run_id)
                self._stop_lost(live)

    def _held(self) -> list[tuple[str, int]]:
        """Called from the heartbeat's thread: one atomic copy of the live runs, plain values out."""
        return [(live.run_id, live.fence.attempt) for live in list(self._live.values())
                if live.fence is not None and live.claimed and not live.lease_lost]

    async def start_cluster(self) -> None:
        """Replicas sharing the store: listen for the others' signals (cancels, new events),
        start renewing this process's claims and taking over runs whose holder stopped renewing
        theirs."""
        if self.store.signals is not None:
            await self.store.signals.start(self._cancel_asked)
        self._ownership.start(self._held, self._leases_lost, self._take_over)

    async def _take_over(self, limit: int = 100) -> list[RunRecord]:
        leases = self.store.leases
        assert leases is not None
        resumed = []
        for record, fence in await leases.take_over(self._ownership.holder, self.policy.lease_seconds, limit):
            try:
                await interrupt(record, self.store, self._codec, self.engine.limits, fence)
            except LeaseLost:
                continue  # a third replica was faster
            await leases.release(record.run_id, fence)
            log.warning("run %s interrupted: taken over from a replica that stopped renewing its lease (attempt %d)",
                        record.run_id, fence.attempt)
            if self.policy.resume_interrupted:
                try:
                    resumed.append(await self.resume(record.run_id, record.owner))
                except Exception as err:  # the queue is full, the flow no longer validates: it stays INTERRUPTED
                    log.error("run %s: could not be resumed after the takeover: %s", record.run_id, err)
        return resumed

    # -- start-up, retention, shutdown -----------------------------------------------------

    async def recover(self) -> list[RunRecord]:
        """Mark the runs the last process left unfinished INTERRUPTED (their unfinished nodes
        CANCELLED, SERVER_RESTARTED); resume them when the policy says so. Returns the runs
        started to resume them.

        With replicas sharing the store, only runs whose lease expired (their holder stopped
        renewing it) are taken: a run another live replica executes is left alone."""
        if self.store.leases is not None:
            return await self._take_over(limit=10_000)
        resumed = []
        for record in await self.store.unfinished_runs():
            if record.run_id in self._live:
                continue
            await interrupt(record, self.store, self._codec, self.engine.limits)
            log.warning("run %s interrupted: the server stopped while it was %s", record.run_id, record.state.value)
            if self.policy.resume_interrupted:
                resumed.append(await self.resume(record.run_id, record.owner))
        return resumed

    def start_retention(self) -> None:
        if self.policy.retention_seconds > 0 and self._retention is None:
            self._retention = asyncio.get_running_loop().create_task(self._retain(), name="runs-retention")

    async def delete_expired(self) -> int:
        cutoff = time.time() - self.policy.retention_seconds
        deleted = await self.store.delete_finished_before(cutoff)
        if deleted:
            log.info("retention: deleted %d runs finished before %s", deleted, time.strftime("%Y-%m-%d %H:%M:%S",
                                                                                         time.gmtime(cutoff)))
        return deleted

    async def _retain(self) -> None:
        while True:
            try:
                await self.delete_expired()
            except Exception as err:
                log.error("retention: could not delete expired runs: %s", err)
            await asyncio.sleep(self.policy.retention_check_seconds)

    async def drain(self, grace: float) -> None:
        """Give live runs `grace` seconds to finish, then cancel the rest (SERVER_SHUTDOWN) and
        wait until their last events are stored."""
        if self._retention is not None:
            self._retention.cancel()
        runs = list(self._live.values())
        if runs and grace > 0:
            waits = [asyncio.ensure_future(r.closed.wait()) for r in runs]
            try:
                await asyncio.wait(waits, timeout=grace)
            finally:
                for wait in waits:
                    wait.cancel()
        # Queued runs first, so that no slot freed by a cancelled run starts one of them.
        for live in self._admission.queued_runs():
            if self._admission.withdraw(live):
                self._end_queued(live, StatusReason.SERVER_SHUTDOWN)
        await self._ownership.stop_taking_over()
        while self._live:
            await asyncio.gather(*(self._cancel(r, StatusReason.SERVER_SHUTDOWN) for r in list(self._live.values())))
        releases = [t for t in self._tasks if t.get_name().startswith("runs-release-")]
        if releases:
            await asyncio.wait(releases, timeout=5)
        for task in list(self._tasks):  # writers still trying to store a final state
            task.cancel()
        await self._ownership.stop()


def _started(live: LiveRun, prepared: PreparedRun) -> RunStarted:
    return RunStarted(flow_id=prepared.request.flow_id, planned_node_ids=prepared.plan.planned,
                              cached_node_ids=tuple(prepared.plan.cached), dry_run=prepared.request.options.dry_run,
                              parent_run_id=live.record.parent_run_id)
