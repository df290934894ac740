"""An async client for FlowService: `async for event in client.execute_flow(...)`, runs as
stored resources (`start_run`, `watch_run`, `follow_run`, `get_run`, `list_runs`, `cancel_run`, `resume_run`),
and the server's node-type catalogue and model defaults (`list_node_types`, `get_model_defaults`).

Batches (ExecuteFlowResponse / WatchRunResponse) are flattened: callers see one NodeEvent at a
time, in seq order; keepalives (batches with no events) are skipped. Leaving `execute_flow`
early cancels the call and so the run (unless the request's options.on_disconnect says
CONTINUE); leaving `watch_run` early only stops watching.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType

import grpc

from flowexec.follow import broken, follow
from flowexec.v1 import catalog_pb2, events_pb2, flow_service_pb2, flow_service_pb2_grpc, graph_pb2, runs_pb2

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class FlowClient:
    def __init__(
        self,
        target: str,
        *,
        metadata: Sequence[tuple[str, str]] = (),
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        channel: grpc.aio.Channel | None = None,
    ) -> None:
        self.target = target
        self._metadata = tuple(metadata)
        self._channel = channel or grpc.aio.insecure_channel(
            target,
            options=[
                ("grpc.max_send_message_length", max_message_bytes),
                ("grpc.max_receive_message_length", max_message_bytes),
            ],
        )
        self._stub = flow_service_pb2_grpc.FlowServiceStub(self._channel)

    async def __aenter__(self) -> FlowClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._channel.close()

    async def execute_flow(
        self,
        request: flow_service_pb2.ExecuteFlowRequest | None = None,
        *,
        nodes: Iterable[graph_pb2.Node] = (),
        edges: Iterable[graph_pb2.Edge] = (),
        flow_id: str = "",
        provider_id: str = "",
        trigger_node_id: str = "",
        cached_outputs: Mapping[str, graph_pb2.NodeOutput] | None = None,
        dry_run: bool = False,
        max_concurrency: int = 0,
        timeout: float | None = None,
        follow: bool = True,
    ) -> AsyncIterator[events_pb2.NodeEvent]:
        """Run a flow and yield its events as they arrive.

        `follow`: when the stream breaks with the replica serving it (UNAVAILABLE, or a stream
        reset through a gateway) after the run started, go on as `follow_run` from the last
        event received — through a takeover to the run resuming it — instead of raising; a
        pause instead of an error. (`timeout` bounds the ExecuteFlow call itself.)

        Pass a ready ExecuteFlowRequest, or its parts as keyword arguments. Raises
        grpc.aio.AioRpcError on a failed call (INVALID_ARGUMENT for an invalid graph, with
        google.rpc.BadRequest details: see `flowexec.errors.field_violations`).
        """
        if request is None:
            request = flow_service_pb2.ExecuteFlowRequest(
                flow_id=flow_id,
                nodes=list(nodes),
                edges=list(edges),
                provider_id=provider_id,
                trigger_node_id=trigger_node_id,
                cached_outputs=dict(cached_outputs or {}),
                options=flow_service_pb2.ExecutionOptions(dry_run=dry_run, max_concurrency=max_concurrency),
            )
        call = self._stub.ExecuteFlow(request, timeout=timeout, metadata=self._metadata)
        run_id, last_seq = "", 0
        try:
            async for response in call:
                for event in response.events:
                    run_id, last_seq = event.run_id, event.seq
                    yield event
            return
        except grpc.aio.AioRpcError as err:
            if not follow or not run_id or not broken(err):
                raise
        finally:
            call.cancel()
        # The stream broke with the replica serving it: the run goes on (or is taken over) elsewhere.
        async for event in self.follow_run(run_id, after_seq=last_seq):
            yield event

    async def start_run(self, request: flow_service_pb2.ExecuteFlowRequest, *, idempotency_key: str = "",
                        timeout: float | None = None) -> runs_pb2.Run:
        """Start a run that goes on with no client attached; returns it (with its planned nodes).
        A retry with the same `idempotency_key` returns the run the first call started."""
        response = await self._stub.StartRun(
            flow_service_pb2.StartRunRequest(flow=request, idempotency_key=idempotency_key),
            timeout=timeout, metadata=self._metadata)
        return response.run

    async def watch_run(self, run_id: str, *, after_seq: int = 0,
                        timeout: float | None = None) -> AsyncIterator[events_pb2.NodeEvent]:
        """Yield the run's events with seq > after_seq, stored then live; ends after its last event."""
        call = self._stub.WatchRun(flow_service_pb2.WatchRunRequest(run_id=run_id, after_seq=after_seq),
                                   timeout=timeout, metadata=self._metadata)
        try:
            async for response in call:
                for event in response.events:
                    yield event
        finally:
            call.cancel()

    async def follow_run(self, run_id: str, *, after_seq: int = 0, takeover_wait: float = 10.0
                         ) -> AsyncIterator[events_pb2.NodeEvent]:
        """Like `watch_run`, through the death of a replica: a broken watch (its replica gone) is
        opened again from the last seq received, and when another replica took the run over and
        resumed it (FLOWEXEC_RESUME_INTERRUPTED=true) the run resuming it is followed instead of
        the old run's INTERRUPTED ending — its events carry its own run_id, and its RunStarted
        names the old run as parent. Ends after the last event of the last run followed
        (flowexec.follow says how)."""
        async for event in follow(
                run_id, after_seq, lambda run, seq: self.watch_run(run, after_seq=seq),
                lambda run: self.get_run(run), lambda flow: self.list_runs(flow_id=flow, page_size=20),
                takeover_wait):
            yield event

    async def get_run(self, run_id: str, *, include_images: bool = False,
                      timeout: float | None = None) -> runs_pb2.Run:
        response = await self._stub.GetRun(
            flow_service_pb2.GetRunRequest(run_id=run_id, include_images=include_images),
            timeout=timeout, metadata=self._metadata)
        return response.run

    async def list_runs(self, *, page_size: int = 0, page_token: str = "", flow_id: str = "",
                        states: Sequence[runs_pb2.RunState] = (), timeout: float | None = None
                        ) -> flow_service_pb2.ListRunsResponse:
        """One page of the caller's runs, newest first (`next_page_token` empty on the last page)."""
        return await self._stub.ListRuns(
            flow_service_pb2.ListRunsRequest(page_size=page_size, page_token=page_token, flow_id=flow_id,
                                             states=list(states)),
            timeout=timeout, metadata=self._metadata)

    async def cancel_run(self, run_id: str, *, timeout: float | None = None) -> runs_pb2.Run:
        response = await self._stub.CancelRun(flow_service_pb2.CancelRunRequest(run_id=run_id),
                                              timeout=timeout, metadata=self._metadata)
        return response.run

    async def resume_run(self, run_id: str, *, timeout: float | None = None) -> runs_pb2.Run:
        """A new run, linked to `run_id`, that reuses its stored outputs and runs what did not complete."""
        response = await self._stub.ResumeRun(flow_service_pb2.ResumeRunRequest(run_id=run_id),
                                              timeout=timeout, metadata=self._metadata)
        return response.run

    async def list_node_types(self, *, family: str = "", timeout: float | None = None
                              ) -> catalog_pb2.ListNodeTypesResponse:
        """The node types the server runs (of `family`, when given), and the plugins it loaded or
        refused. INVALID_ARGUMENT for an unknown family."""
        return await self._stub.ListNodeTypes(catalog_pb2.ListNodeTypesRequest(family=family),
                                              timeout=timeout, metadata=self._metadata)

    async def get_model_defaults(self, *, node_type: str = "", provider_id: str = "",
                                 timeout: float | None = None) -> catalog_pb2.GetModelDefaultsResponse:
        """Each node type's default provider/model, each provider's default models, the default
        image vendor and the task table (only `node_type`'s / `provider_id`'s entries, when given)."""
        return await self._stub.GetModelDefaults(
            catalog_pb2.GetModelDefaultsRequest(node_type=node_type, provider_id=provider_id),
            timeout=timeout, metadata=self._metadata)
