"""The run RPCs as the tests call them: the generated stub over a real channel, and helpers to
read event sequences."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType

import grpc

from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc, runs_pb2

COMPLETE = events_pb2.NODE_STATUS_COMPLETE
RUNNING = events_pb2.NODE_STATUS_RUNNING
CANCELLED = events_pb2.NODE_STATUS_CANCELLED


class Runs:
    def __init__(self, target: str, token: str | None = None) -> None:
        self.channel = grpc.aio.insecure_channel(target, options=[("grpc.max_receive_message_length", 64 << 20)])
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.stub = flow_service_pb2_grpc.FlowServiceStub(self.channel)

    async def __aenter__(self) -> Runs:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.channel.close()

    async def start(self, flow: flow_service_pb2.ExecuteFlowRequest, key: str = "") -> runs_pb2.Run:
        reply = await self.stub.StartRun(flow_service_pb2.StartRunRequest(flow=flow, idempotency_key=key),
                                         metadata=self.metadata)
        return reply.run

    def watch_call(self, run_id: str, after_seq: int = 0) -> grpc.aio.UnaryStreamCall:
        return self.stub.WatchRun(flow_service_pb2.WatchRunRequest(run_id=run_id, after_seq=after_seq),
                                  metadata=self.metadata)

    async def watch(self, run_id: str, after_seq: int = 0, *, timeout: float = 20) -> list[events_pb2.NodeEvent]:
        """Every event the watch sends, until it ends."""
        async with asyncio.timeout(timeout):
            return [e async for response in self.watch_call(run_id, after_seq) for e in response.events]

    async def get(self, run_id: str, include_images: bool = False) -> runs_pb2.Run:
        reply = await self.stub.GetRun(flow_service_pb2.GetRunRequest(run_id=run_id, include_images=include_images),
                                       metadata=self.metadata)
        return reply.run

    async def list(self, **fields: object) -> flow_service_pb2.ListRunsResponse:
        return await self.stub.ListRuns(flow_service_pb2.ListRunsRequest(**fields), metadata=self.metadata)

    async def cancel(self, run_id: str) -> runs_pb2.Run:
        reply = await self.stub.CancelRun(flow_service_pb2.CancelRunRequest(run_id=run_id), metadata=self.metadata)
        return reply.run

    async def resume(self, run_id: str) -> runs_pb2.Run:
        reply = await self.stub.ResumeRun(flow_service_pb2.ResumeRunRequest(run_id=run_id), metadata=self.metadata)
        return reply.run

    def execute(self, flow: flow_service_pb2.ExecuteFlowRequest, **kwargs: object) -> grpc.aio.UnaryStreamCall:
        return self.stub.ExecuteFlow(flow, metadata=self.metadata, **kwargs)

    async def wait_for_state(self, run_id: str, *states: int, timeout: float = 10) -> runs_pb2.Run:
        async with asyncio.timeout(timeout):
            while (run := await self.get(run_id)).state not in states:
                await asyncio.sleep(0.02)
        return run


def seqs(events: Sequence[events_pb2.NodeEvent]) -> list[int]:
    return [e.seq for e in events]


def statuses(events: Sequence[events_pb2.NodeEvent], node_id: str) -> list[int]:
    return [e.node_status.status for e in events if e.HasField("node_status") and e.node_status.node_id == node_id]


def final_statuses(events: Sequence[events_pb2.NodeEvent]) -> dict[str, events_pb2.NodeStatusChanged]:
    return {e.node_status.node_id: e.node_status for e in events if e.HasField("node_status")}


def is_status(event: events_pb2.NodeEvent, node_id: str, status: int) -> bool:
    return event.HasField("node_status") and event.node_status.node_id == node_id and event.node_status.status == status
