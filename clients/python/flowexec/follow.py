"""Following a run across the death of the replica executing it (FlowClient.follow_run).

With replicas sharing PostgreSQL, a replica that dies mid-run stops renewing the run's lease;
another replica takes the run over, ends it INTERRUPTED (its unfinished nodes CANCELLED with
reason SERVER_RESTARTED, then RunCompleted) and — with FLOWEXEC_RESUME_INTERRUPTED=true —
resumes it as a new run linked to it (parent_run_id), reusing every stored output. A plain
WatchRun shows exactly that. Following shows a pause instead:

- a watch that breaks (UNAVAILABLE, or through Envoy INTERNAL with RST_STREAM: the replica
  serving it went away) is opened again from the last seq received, on whichever replica the
  channel reaches (a bounded number of times: RETRY_DELAYS);
- the takeover's ending of the old run is held back; once a run resuming it appears (GetRun,
  ListRuns: its parent_run_id), that run is followed instead — its events carry its own
  run_id, its RunStarted names the old run as parent and lists the reused nodes as cached. When
  none appears within `takeover_wait` seconds (resumption is off), the held ending is passed on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, runs_pb2

T = TypeVar("T")

# Status codes after which a read is tried again: the replica (or the gateway's path to it) went away.
RETRIED = (grpc.StatusCode.UNAVAILABLE,)
# A stream a proxy (Envoy) reset because the replica behind it died arrives as INTERNAL with this
# (gRPC core's words for an HTTP/2 RST_STREAM): a broken watch too, not an error of the server.
STREAM_RESET = "RST_STREAM"
# Seconds between tries of a read while no replica answers.
RETRY_DELAYS = (0.1, 0.2, 0.5, 1.0, 1.0, 2.0, 2.0, 5.0)

WatchOnce = Callable[[str, int], AsyncIterator[events_pb2.NodeEvent]]
GetRun = Callable[[str], Awaitable[runs_pb2.Run]]
ListRuns = Callable[[str], Awaitable[flow_service_pb2.ListRunsResponse]]


async def follow(run_id: str, after_seq: int, watch: WatchOnce, get_run: GetRun, list_runs: ListRuns,
                 takeover_wait: float) -> AsyncIterator[events_pb2.NodeEvent]:
    """The run's events (seq > after_seq), then those of the runs resuming it after takeovers."""
    while True:
        held: list[events_pb2.NodeEvent] = []
        ending: events_pb2.NodeEvent | None = None
        async for event in _watch_through_breaks(run_id, after_seq, watch):
            if _restarted(event):  # the takeover's ending: held until it is known whether a run resumes it
                held.append(event)
            elif event.HasField("run_completed") and held:
                ending = event
            else:
                for earlier in held:  # not an ending after all (they come last, with RunCompleted)
                    yield earlier
                held.clear()
                yield event
        if ending is None:
            return
        child = await _resuming_run(run_id, get_run, list_runs, takeover_wait)
        if child is None:
            for event in [*held, ending]:
                yield event
            return
        run_id, after_seq = child, 0


def _restarted(event: events_pb2.NodeEvent) -> bool:
    return event.HasField("node_status") and event.node_status.reason == events_pb2.STATUS_REASON_SERVER_RESTARTED


async def _watch_through_breaks(run_id: str, after_seq: int, watch: WatchOnce) -> AsyncIterator[events_pb2.NodeEvent]:
    """WatchRun, opened again after the stream broke, from the last seq received."""
    delays = iter(RETRY_DELAYS)
    while True:
        try:
            async for event in watch(run_id, after_seq):
                after_seq = event.seq
                delays = iter(RETRY_DELAYS)  # it works again
                yield event
            return
        except grpc.aio.AioRpcError as err:
            delay = next(delays, None)
            if not broken(err) or delay is None:
                raise
            await asyncio.sleep(delay)


def broken(err: grpc.aio.AioRpcError) -> bool:
    """The call broke off with the replica serving it, not by the server's answer."""
    return err.code() in RETRIED or (err.code() is grpc.StatusCode.INTERNAL and STREAM_RESET in (err.details() or ""))


async def retried(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, tried again while it fails with a code in RETRIED (RETRY_DELAYS)."""
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except grpc.aio.AioRpcError as err:
            if err.code() not in RETRIED:
                raise
            await asyncio.sleep(delay)
    return await call()


async def _resuming_run(run_id: str, get_run: GetRun, list_runs: ListRuns, wait: float) -> str | None:
    """The id of the run that resumes `run_id` after a takeover, once it appears; None when the
    run did not end INTERRUPTED or nothing resumes it within `wait` seconds."""
    run = await retried(lambda: get_run(run_id))
    if run.state != runs_pb2.RUN_STATE_INTERRUPTED:
        return None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        page = await retried(lambda: list_runs(run.flow_id))
        children = [r for r in page.runs if r.parent_run_id == run_id]
        if children:  # newest first: the takeover's is the first one made
            return children[-1].run_id
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(0.1)
