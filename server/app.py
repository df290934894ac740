"""Builds and runs the grpc.aio server: FlowService, health checking, reflection.

FlowService stands on a RunManager (execution.runs) over the run store it is given. At start
the runs the last process left unfinished are marked interrupted before any call is served.
Health has one more service name, `flowexec.v1.FlowService/storage`: NOT_SERVING while the run
store refuses writes (runs still execute, so FlowService itself stays SERVING).

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
from execution.nodes.plugins import PluginReport
from execution.runs import RunManager, RunPolicy
from execution.store.base import RunStore
from execution.store.memory import MemoryRunStore
from flowexec.v1 import flow_service_pb2
from server import wire
from server.auth import JwtAuth
from server.catalog_messages import CatalogMessages
from server.health import HealthServicer
from server.run_codec import ProtobufRunCodec
from server.servicer import FlowService
from server.settings import ServerSettings

log = logging.getLogger("flowexec.server")

SERVICE_NAME = flow_service_pb2.DESCRIPTOR.services_by_name["FlowService"].full_name
STORAGE_HEALTH_NAME = f"{SERVICE_NAME}/storage"


class FlowexecServer:
    def __init__(self, engine: Engine, settings: ServerSettings, store: RunStore | None = None,
                 policy: RunPolicy | None = None, plugins: tuple[PluginReport, ...] = ()) -> None:
        """`store` holds the runs (default: in memory, persistence off); the caller closes it.
        `policy` defaults to the settings' (tests tune the rest of it). `plugins`: the reports of
        the plugins loaded into the engine's registry (listed by ListNodeTypes)."""
        self.engine = engine
        self.settings = settings
        self.port = 0
        self.store = store or MemoryRunStore(max_bytes=settings.memory_store_max_bytes)
        self.runs = RunManager(engine, self.store, ProtobufRunCodec(), policy or settings.run_policy(),
                               observe_store=self._store_answered)
        self._store_ok = True
        self._health_updates: set[asyncio.Task[None]] = set()
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
                ("grpc.so_reuseport", 1 if settings.reuse_port else 0),
                # A saturated event loop picks up one new call per iteration or two (grpc.aio's
                # server loop): a burst of calls waits in gRPC's queue meanwhile, and is cancelled
                # after this long (30 s by default) though it would run. Runs have their own queue.
                ("grpc.server_max_unrequested_time_in_server", settings.call_pickup_seconds),
            ]
        )
        self.flow_service = FlowService(self.runs, settings.max_message_bytes,
                                        expose_provider_calls=settings.expose_provider_calls,
                                        catalog=CatalogMessages(engine.registry, engine.services, plugins))
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
        """Start the engine's services (custom code's sandbox: SandboxUnavailable when it is on but
        cannot work here), recover the last process's unfinished runs, bind, start serving; return
        the bound port."""
        await self.engine.services.start()
        await self.runs.recover()
        self.port = self._server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        if self.port == 0:
            raise RuntimeError(f"could not bind {self.settings.host}:{self.settings.port}")
        await self._server.start()
        for service in ("", SERVICE_NAME, STORAGE_HEALTH_NAME):
            await self.health.set(service, health_pb2.HealthCheckResponse.SERVING)
        self.runs.start_retention()
        await self.runs.start_cluster()
        log.info("flowexec listening on %s (%d node types)", self.target, len(self.engine.registry))
        return self.port

    async def stop(self, grace: float | None = None) -> None:
        """Drain: NOT_SERVING, refuse new calls, let runs finish within `grace`, cancel the rest
        and let their last events out (within the flush period), then stop."""
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        log.info("shutting down: %d runs in flight or queued, grace %.1f s", self.runs.live_runs, grace)
        self.flow_service.draining = True
        await self.health.enter_graceful_shutdown()
        # From here grpc refuses new calls; it cuts the open ones only when the flush period
        # after the grace has passed too (it returns as soon as none is left).
        stopping = asyncio.create_task(self._server.stop(grace + self.settings.shutdown_flush_seconds))
        try:
            await self.runs.drain(grace)
        finally:
            await stopping
        log.info("stopped")

    def _store_answered(self, ok: bool) -> None:
        """The run store took a write (ok) or refused one: report changes on the storage name."""
        if ok == self._store_ok:
            return
        self._store_ok = ok
        if ok:
            log.info("run store available again")
        status = health_pb2.HealthCheckResponse.SERVING if ok else health_pb2.HealthCheckResponse.NOT_SERVING
        task = asyncio.get_running_loop().create_task(self.health.set(STORAGE_HEALTH_NAME, status))
        self._health_updates.add(task)
        task.add_done_callback(self._health_updates.discard)

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()
