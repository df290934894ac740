"""Builds and runs the grpc.aio server: FlowService, health checking, reflection.

Shutdown is graceful: health turns NOT_SERVING (open health watches say so, then end), new
calls are refused, in-flight runs get the grace period to finish. Then the runs still going
are cancelled — by the engine, while their calls are still open, so each client receives its
nodes CANCELLED (SERVER_SHUTDOWN) and run_completed, and its stream ends OK — and only after
that, or after a short flush period for clients that do not read, does grpc cut what is left.
"""

from __future__ import annotations

import asyncio
import logging

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from execution.engine import Engine
from flowexec.v1 import flow_service_pb2
from server import wire
from server.auth import JwtAuth
from server.health import HealthServicer
from server.servicer import FlowService
from server.settings import ServerSettings

log = logging.getLogger("flowexec.server")

SERVICE_NAME = flow_service_pb2.DESCRIPTOR.services_by_name["FlowService"].full_name


class FlowexecServer:
    def __init__(self, engine: Engine, settings: ServerSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.port = 0
        interceptors = []
        if settings.auth_jwt_secret is not None:
            secret = settings.auth_jwt_secret.get_secret_value()
            engine.services.redactor.add(secret)
            interceptors.append(JwtAuth(secret, algorithms=settings.auth_jwt_algorithms,
                                        audience=settings.auth_jwt_audience, issuer=settings.auth_jwt_issuer))
        self._server = grpc.aio.server(
            interceptors=interceptors,
            options=[
                ("grpc.max_send_message_length", settings.max_message_bytes),
                ("grpc.max_receive_message_length", settings.max_message_bytes),
                ("grpc.so_reuseport", 0),
            ]
        )
        self.flow_service = FlowService(engine, settings.max_active_runs, settings.max_message_bytes,
                                        expose_provider_calls=settings.expose_provider_calls)
        wire.add_flow_service(self.flow_service, self._server)
        self.health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self._server)
        reflection.enable_server_reflection(
            (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            self._server,
        )

    @property
    def target(self) -> str:
        return f"{self.settings.host}:{self.port}"

    async def start(self) -> int:
        """Bind, start serving and return the bound port."""
        self.port = self._server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        if self.port == 0:
            raise RuntimeError(f"could not bind {self.settings.host}:{self.settings.port}")
        await self._server.start()
        for service in ("", SERVICE_NAME):
            await self.health.set(service, health_pb2.HealthCheckResponse.SERVING)
        log.info("flowexec listening on %s (%d node types)", self.target, len(self.engine.registry))
        return self.port

    async def stop(self, grace: float | None = None) -> None:
        """Drain: NOT_SERVING, refuse new calls, let runs finish within `grace`, cancel the rest
        and let their last events out (within the flush period), then stop."""
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        log.info("shutting down: %d runs in flight, grace %.1f s", len(self.engine.active), grace)
        self.flow_service.draining = True
        await self.health.enter_graceful_shutdown()
        # From here grpc refuses new calls; it cuts the open ones only when the flush period
        # after the grace has passed too (it returns as soon as none is left).
        stopping = asyncio.create_task(self._server.stop(grace + self.settings.shutdown_flush_seconds))
        try:
            await self.engine.drain(grace)
        finally:
            await stopping
        log.info("stopped")

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()
