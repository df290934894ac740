"""grpc.health.v1 Health for a server that drains: Watch streams end once they said NOT_SERVING.

grpc's reference servicer keeps a Watch open until the client leaves, and grpc's graceful stop
waits for every open call: one load balancer watching made each shutdown last the whole grace
period, with or without runs in flight. Here, once shutdown has begun, a watch ends (status
OK) right after it has delivered NOT_SERVING; a watcher that calls again is refused, which is
what a draining server should answer. The reference Watch is reused as it is; only the
context it writes through is wrapped.
"""

from __future__ import annotations

from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2

NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


class _WatchEnded(Exception):
    """Raised through the reference Watch to leave it (its `finally` unregisters the watcher)."""


class _EndsOnShutdown:
    """The call's context as the reference Watch sees it: ends the watch after NOT_SERVING is
    written during shutdown. Everything else is the real context."""

    def __init__(self, context: grpc.aio.ServicerContext, servicer: HealthServicer) -> None:
        self._context = context
        self._servicer = servicer

    async def write(self, message: health_pb2.HealthCheckResponse) -> None:
        await self._context.write(message)
        if self._servicer.shutting_down and message.status == NOT_SERVING:
            raise _WatchEnded

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


class HealthServicer(health.aio.HealthServicer):
    def __init__(self) -> None:
        super().__init__()
        self.shutting_down = False

    async def Watch(self, request: health_pb2.HealthCheckRequest,  # type: ignore[override]
                    context: grpc.aio.ServicerContext) -> None:
        try:
            await super().Watch(request, _EndsOnShutdown(context, self))
        except _WatchEnded:
            return

    async def enter_graceful_shutdown(self) -> None:
        """NOT_SERVING for every service, for good; open watches deliver it, then end."""
        self.shutting_down = True
        await super().enter_graceful_shutdown()
