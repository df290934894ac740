"""FlowService: protobuf in → run manager → protobuf out. No execution logic lives here.

Every method receives its request as raw bytes (server.wire) and the caller from the auth
interceptor (server.auth.caller). ExecuteFlow is StartRun + WatchRun on one call; by default a
call that ends early cancels its run, with the reason it ended for (client gone, deadline,
server shutdown); with `options.on_disconnect = ON_DISCONNECT_CONTINUE` the run goes on.

What leaves is decided here too. Provider calls (provider, model, the full prompts) are what a
dry run is for; on a live run they would show every browser the server's prompts and vendors, so
a run carries them only when its request asks (options.include_provider_calls) and the operator
allows it (FLOWEXEC_EXPOSE_PROVIDER_CALLS): a request flag alone would let any client ask.

Whose run it is comes from the auth interceptor (server.auth.caller: the token's subject),
never from the request: the run manager makes it the run's owner, whose cache entries,
provider budgets and caps the run uses.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from execution.errors import GraphValidationError
from execution.events import StatusReason
from execution.ids import RunId
from execution.quoting import shorten
from execution.runs import EventsLost, QueueFull, RunError, RunManager, RunNotFound, RunNotResumable
from execution.store.base import RunRecord, StoreUnavailable
from flowexec.v1 import catalog_pb2, flow_service_pb2
from server import batching, convert, run_messages, status, wire
from server.auth import caller
from server.catalog_messages import CatalogMessages
from server.run_messages import BadField

log = logging.getLogger("flowexec.server")

M = TypeVar("M", bound=Message)
R = TypeVar("R")

# Run errors → status codes (RunError's text is safe to show).
_CODES: dict[type[RunError], grpc.StatusCode] = {
    RunNotFound: grpc.StatusCode.NOT_FOUND,
    QueueFull: grpc.StatusCode.RESOURCE_EXHAUSTED,
    RunNotResumable: grpc.StatusCode.FAILED_PRECONDITION,
    EventsLost: grpc.StatusCode.DATA_LOSS,
}


class FlowService:
    def __init__(self, runs: RunManager, max_message_bytes: int, *, expose_provider_calls: bool = False,
                 catalog: CatalogMessages | None = None) -> None:
        self._runs = runs
        # The node-type catalogue and model defaults (default: the run manager's engine, no plugins).
        self._catalog = catalog or CatalogMessages(runs.engine.registry, runs.engine.services)
        self._expose_provider_calls = expose_provider_calls
        # Response sizes are exact (framed payloads): the whole message limit is usable.
        self._message_budget = max_message_bytes
        self.draining = False

    # -- streams --------------------------------------------------------------------------

    async def ExecuteFlow(self, raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        request = await _decode(raw, flow_service_pb2.ExecuteFlowRequest, context)
        owner = caller()
        # The caller watches the run on this call: its first events need not wait for the run's
        # record to be committed (the run's writer stores it first).
        record = await self._start(request, owner, context, stored_first=False)
        cancel_on_drop = request.options.on_disconnect != flow_service_pb2.ON_DISCONNECT_CONTINUE
        finished = False
        try:
            async for response in self._stream(record.run_id, owner, 0, context):
                yield response
            finished = True
        finally:
            # Reached by CancelledError or by grpc closing the generator between messages:
            # either way, a run that has not finished is cancelled, with the real reason.
            if not finished and cancel_on_drop:
                reason = self._cancel_reason(context)
                log.info("run %s cancelled (%s)", record.run_id, reason.value)
                await self._runs.cancel_live(record.run_id, owner, reason)

    async def WatchRun(self, raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        request = await _decode(raw, flow_service_pb2.WatchRunRequest, context)
        run_id = await _checked(lambda: run_messages.run_id(request.run_id), context)
        # Headers go out at once: a client knows its watch is established before any event exists.
        await context.send_initial_metadata(())
        async for response in self._stream(run_id, caller(), request.after_seq, context):
            yield response

    async def _stream(self, run_id: RunId, owner: str, after_seq: int,
                      context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
        budget = self._message_budget
        try:
            async for batch in self._runs.watch(run_id, owner, after_seq):
                if not batch:
                    yield b""  # keepalive: a response with no events
                    continue
                responses = list(batching.framed_responses(batch, budget))
                # The payloads live on in the responses only: a watcher that stops reading holds one
                # copy of the message it is stuck on (grpc holds another while sending it), not three.
                batch.clear()
                responses.reverse()
                while responses:
                    yield responses.pop()
        except (RunError, StoreUnavailable) as err:
            await _abort(err, context)

    # -- unary ----------------------------------------------------------------------------

    async def StartRun(self, raw: bytes, context: grpc.aio.ServicerContext) -> flow_service_pb2.StartRunResponse:
        request = await _decode(raw, flow_service_pb2.StartRunRequest, context)
        key = await _checked(lambda: run_messages.idempotency_key(request.idempotency_key), context)
        owner = caller()
        record = await self._start(request.flow, owner, context, idempotency_key=key)
        if key is not None and record.last_seq:  # an earlier run, under way: its nodes as they are
            record, nodes = await self._call(self._runs.get(record.run_id, owner), context)
            return flow_service_pb2.StartRunResponse(run=run_messages.run_to_proto(record, nodes))
        return flow_service_pb2.StartRunResponse(run=run_messages.run_to_proto(record, run_messages.planned_nodes(record)))

    async def GetRun(self, raw: bytes, context: grpc.aio.ServicerContext) -> flow_service_pb2.GetRunResponse:
        request = await _decode(raw, flow_service_pb2.GetRunRequest, context)
        run_id = await _checked(lambda: run_messages.run_id(request.run_id), context)
        record, nodes = await self._call(self._runs.get(run_id, caller(), include_images=request.include_images), context)
        return flow_service_pb2.GetRunResponse(run=run_messages.run_to_proto(record, nodes))

    async def ListRuns(self, raw: bytes, context: grpc.aio.ServicerContext) -> flow_service_pb2.ListRunsResponse:
        request = await _decode(raw, flow_service_pb2.ListRunsRequest, context)
        size = await _checked(lambda: run_messages.page_size(request.page_size), context)
        states = await _checked(lambda: run_messages.states(request.states), context)
        after = await _checked(lambda: run_messages.cursor(request.page_token), context)
        page = await self._call(self._runs.list_runs(caller(), flow_id=request.flow_id, states=states, page_size=size,
                                                     after=after), context)
        return flow_service_pb2.ListRunsResponse(runs=[run_messages.run_to_proto(r) for r in page.runs],
                                                 next_page_token=run_messages.page_token(page.next))

    async def CancelRun(self, raw: bytes, context: grpc.aio.ServicerContext) -> flow_service_pb2.CancelRunResponse:
        request = await _decode(raw, flow_service_pb2.CancelRunRequest, context)
        run_id = await _checked(lambda: run_messages.run_id(request.run_id), context)
        record = await self._call(self._runs.cancel(run_id, caller()), context)
        return flow_service_pb2.CancelRunResponse(run=run_messages.run_to_proto(record))

    async def ResumeRun(self, raw: bytes, context: grpc.aio.ServicerContext) -> flow_service_pb2.ResumeRunResponse:
        request = await _decode(raw, flow_service_pb2.ResumeRunRequest, context)
        run_id = await _checked(lambda: run_messages.run_id(request.run_id), context)
        try:
            record = await self._call(self._runs.resume(run_id, caller()), context)
        except GraphValidationError as err:  # the server's node types changed since the run
            await context.abort_with_status(status.invalid_graph(err))
        return flow_service_pb2.ResumeRunResponse(run=run_messages.run_to_proto(record, run_messages.planned_nodes(record)))

    # -- catalogue ------------------------------------------------------------------------

    async def ListNodeTypes(self, raw: bytes, context: grpc.aio.ServicerContext) -> catalog_pb2.ListNodeTypesResponse:
        request = await _decode(raw, catalog_pb2.ListNodeTypesRequest, context)
        return await _checked(lambda: self._catalog.list_node_types(request), context)

    async def GetModelDefaults(self, raw: bytes,
                               context: grpc.aio.ServicerContext) -> catalog_pb2.GetModelDefaultsResponse:
        request = await _decode(raw, catalog_pb2.GetModelDefaultsRequest, context)
        return await _checked(lambda: self._catalog.get_model_defaults(request), context)

    # -- shared ---------------------------------------------------------------------------

    async def _start(self, request: flow_service_pb2.ExecuteFlowRequest, owner: str, context: grpc.aio.ServicerContext,
                     *, idempotency_key: str | None = None, stored_first: bool = True) -> RunRecord:
        try:
            if request.options.include_provider_calls and not self._expose_provider_calls:
                request.options.include_provider_calls = False  # asked, but the operator does not allow it
            flow = convert.request_from_proto(request)
            # The request is stored as received (re-encoding the domain request costs ~10x more).
            start = self._runs.start(flow, owner, idempotency_key=idempotency_key,
                                     encoded_request=request.SerializeToString(), stored_first=stored_first)
            return await self._call(start, context)
        except GraphValidationError as err:
            log.info("rejected flow %s: %s", shorten(request.flow_id), err)
            await context.abort_with_status(status.invalid_graph(err))
            raise  # not reached: abort raises

    async def _call(self, call: Awaitable[R], context: grpc.aio.ServicerContext) -> R:
        try:
            return await call
        except (RunError, StoreUnavailable) as err:
            await _abort(err, context)
            raise  # not reached: abort raises

    def _cancel_reason(self, context: grpc.aio.ServicerContext) -> StatusReason:
        if self.draining:
            return StatusReason.SERVER_SHUTDOWN
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            return StatusReason.DEADLINE_EXCEEDED
        return StatusReason.CLIENT_CANCELLED


async def _decode(raw: bytes, message_type: type[M], context: grpc.aio.ServicerContext) -> M:
    try:
        return wire.decode(raw, message_type)
    except wire.UndecodableRequest as err:
        log.info("rejected request of %d bytes from %s: %s", len(raw), context.peer(), err)
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(err))
        raise  # not reached: abort raises


async def _checked(check: Callable[[], R], context: grpc.aio.ServicerContext) -> R:
    try:
        return check()
    except BadField as err:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(err))
        raise  # not reached: abort raises


async def _abort(err: RunError | StoreUnavailable, context: grpc.aio.ServicerContext) -> None:
    if isinstance(err, StoreUnavailable):
        log.error("run store unavailable: %s", err)
        await context.abort(grpc.StatusCode.UNAVAILABLE, "the run store is unavailable; retry later")
    code = _CODES.get(type(err), grpc.StatusCode.INTERNAL) if isinstance(err, RunError) else grpc.StatusCode.INTERNAL
    await context.abort(code, str(err))
