"""FlowService: protobuf in → engine → protobuf out. No execution logic lives here.

What leaves is decided here too. Provider calls (provider, model, the full prompts) are what a
dry run is for; on a live run they would show every browser the server's prompts and vendors, so
they are sent only when the request asks (options.include_provider_calls) and the operator
allows it (FLOWEXEC_EXPOSE_PROVIDER_CALLS): a request flag alone would let any client ask.

Whose run it is comes from the auth interceptor (server.auth.caller: the token's subject),
never from the request: it decides whose provider budgets and caps the run counts against.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import grpc

from execution.engine import Engine
from execution.errors import GraphValidationError
from execution.events import StatusReason
from execution.quoting import shorten
from execution.ratelimit.user_caps import TooManyRuns
from flowexec.v1 import flow_service_pb2, flow_service_pb2_grpc
from server import batching, convert, status, wire
from server.auth import caller

log = logging.getLogger("flowexec.server")


class FlowService(flow_service_pb2_grpc.FlowServiceServicer):
    def __init__(self, engine: Engine, max_active_runs: int, max_message_bytes: int, *,
                 expose_provider_calls: bool = False) -> None:
        self._engine = engine
        self._max_active_runs = max_active_runs
        self._expose_provider_calls = expose_provider_calls
        # Half the message limit: room for the size estimate's error and protobuf framing.
        self._message_budget = max_message_bytes // 2
        self.draining = False

    async def ExecuteFlow(
        self, raw_request: bytes, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[flow_service_pb2.ExecuteFlowResponse]:
        # Registered by server.wire.add_flow_service: the request arrives as bytes.
        try:
            request = wire.decode_request(raw_request)
        except wire.UndecodableRequest as err:
            log.info("rejected request of %d bytes from %s: %s", len(raw_request), context.peer(), err)
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(err))
        try:
            prepared = self._engine.prepare(convert.request_from_proto(request, owner=caller()))
        except GraphValidationError as err:
            log.info("rejected flow %s: %s", shorten(request.flow_id), err)
            await context.abort_with_status(status.invalid_graph(err))
        if len(self._engine.active) >= self._max_active_runs:
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                f"server is running {self._max_active_runs} flows; retry later")
        options = request.options
        provider_calls = options.dry_run or (options.include_provider_calls and self._expose_provider_calls)
        try:
            run = self._engine.start(prepared)
        except TooManyRuns as err:
            await context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, str(err))
        try:
            async for batch in run.batches():
                for part in batching.split_by_size(batch, self._message_budget):
                    yield convert.response_from_events(part, provider_calls=provider_calls)
        finally:
            # Reached by CancelledError or by grpc closing the generator between messages:
            # either way, a run that has not finished is cancelled, with the real reason.
            if not run.finished.is_set():
                reason = self._cancel_reason(context)
                log.info("run %s cancelled (%s)", run.run_id, reason.value)
                await run.cancel(reason)

    def _cancel_reason(self, context: grpc.aio.ServicerContext) -> StatusReason:
        if self.draining:
            return StatusReason.SERVER_SHUTDOWN
        remaining = context.time_remaining()
        if remaining is not None and remaining <= 0:
            return StatusReason.DEADLINE_EXCEEDED
        return StatusReason.CLIENT_CANCELLED
