"""An async client for FlowService: `async for event in client.execute_flow(...)`.

Batches (ExecuteFlowResponse) are flattened: callers see one NodeEvent at a time, in seq
order. Cancelling the iteration (or leaving it early) cancels the call and so the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from types import TracebackType

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc, graph_pb2

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
    ) -> AsyncIterator[events_pb2.NodeEvent]:
        """Run a flow and yield its events as they arrive.

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
        try:
            async for response in call:
                for event in response.events:
                    yield event
        finally:
            call.cancel()
