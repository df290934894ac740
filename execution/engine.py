"""The engine's front door: validate and plan a request, then start (or run) it.

`Engine` holds what is shared across runs — the node registry, services and limits —
and tracks the runs in flight so a server can report and drain them, and each user's share
of them (`users`: runs in flight and running nodes per RunOptions.owner).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from execution.events import Event, StatusReason
from execution.graph.model import FlowRequest
from execution.graph.plan import ExecutionPlan, make_plan
from execution.graph.validate import validate
from execution.ids import RunId, new_run_id
from execution.nodes.registry import NodeRegistry
from execution.ratelimit.user_caps import UserCaps
from execution.run_limits import Limits
from execution.scheduler import FlowRun
from execution.services import Services


@dataclass(frozen=True, slots=True)
class PreparedRun:
    request: FlowRequest
    plan: ExecutionPlan


class Engine:
    def __init__(self, registry: NodeRegistry, services: Services | None = None,
                 limits: Limits | None = None) -> None:
        self.registry = registry
        self.services = services or Services()
        self.limits = limits or Limits()
        self.active: dict[RunId, FlowRun] = {}
        self.users = UserCaps(self.limits.max_active_runs_per_user, self.limits.max_running_nodes_per_user)

    def prepare(self, request: FlowRequest) -> PreparedRun:
        """Validate and plan; raises GraphValidationError naming every culprit."""
        graph = validate(request, self.limits)
        return PreparedRun(request, make_plan(graph, request.trigger_node_id, request.cached_outputs))

    def start(self, prepared: PreparedRun) -> FlowRun:
        """Start a prepared run on the running event loop; iterate `run.batches()` for its events
        while it runs (with more than `limits.stream_high_water` unread, it waits for its reader).
        Raises TooManyRuns when its owner already has as many runs in flight as one user may."""
        owner = prepared.request.options.owner
        node_slots = self.users.start_run(owner)
        try:
            run = FlowRun(
                run_id=new_run_id(),
                request=prepared.request,
                plan=prepared.plan,
                registry=self.registry,
                services=self.services,
                concurrency=self.limits.concurrency_for(prepared.request.options.max_concurrency),
                limits=self.limits,
                node_slots=node_slots,
            )
        except BaseException:
            self.users.end_run(owner)
            raise
        self.active[run.run_id] = run
        return run.start(on_done=lambda r: self._finished(r, owner))

    def _finished(self, run: FlowRun, owner: str) -> None:
        self.active.pop(run.run_id, None)
        self.users.end_run(owner)

    async def drain(self, grace: float) -> None:
        """Give the runs in flight `grace` seconds to finish, then cancel the rest (their nodes
        end CANCELLED, reason SERVER_SHUTDOWN) and wait until they have stopped."""
        runs = list(self.active.values())
        if runs and grace > 0:
            waits = [asyncio.create_task(run.finished.wait()) for run in runs]
            try:
                await asyncio.wait(waits, timeout=grace)
            finally:
                for wait in waits:
                    wait.cancel()
        await asyncio.gather(*(run.cancel(StatusReason.SERVER_SHUTDOWN) for run in list(self.active.values())))

    async def run(self, request: FlowRequest) -> list[Event]:
        """Validate, run to the end and return every event (in-process use, tests, benchmarks)."""
        events: list[Event] = []
        async with self.start(self.prepare(request)) as run:
            async for batch in run.batches():
                events.extend(batch)
        return events
