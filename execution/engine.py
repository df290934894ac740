"""The engine's front door: validate and plan a request, then start (or run) it.

`Engine` holds what is shared across runs — the node registry, services, limits and cache —
and tracks the runs in flight so a server can report and drain them, and each user's running
nodes (`users`: the node slots of each RunOptions.owner, when they are capped). How many runs a
user may have executing is the run manager's to decide (execution.runs.admission).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from execution.cache.node_cache import NodeCache
from execution.events import Event, StatusReason
from execution.graph.model import FlowRequest
from execution.graph.plan import ExecutionPlan, make_plan
from execution.graph.validate import validate
from execution.ids import NodeId, RunId, new_run_id
from execution.nodes.parsed_settings import ParsedSettings
from execution.nodes.registry import NodeRegistry
from execution.outputs import NodeOutput
from execution.ratelimit.user_caps import UserCaps
from execution.run_limits import Limits
from execution.scheduler import FlowRun
from execution.services import Services
from execution.wiring import GraphWiring, wire


@dataclass(frozen=True, slots=True)
class PreparedRun:
    request: FlowRequest
    plan: ExecutionPlan
    # Every node's parsed settings, ports and input edges (execution.wiring).
    wiring: GraphWiring


class Engine:
    def __init__(self, registry: NodeRegistry, services: Services | None = None,
                 limits: Limits | None = None, cache: NodeCache | None = None) -> None:
        self.registry = registry
        self.services = services or Services()
        self.limits = limits or Limits()
        # The node-output cache every run shares; None: nothing is cached.
        self.cache = cache
        self.active: dict[RunId, FlowRun] = {}
        self.users = UserCaps(self.limits.max_running_nodes_per_user)
        # Settings records parsed by earlier runs (a flow's nodes are wired again each run).
        self._parsed_settings = ParsedSettings()

    def prepare(self, request: FlowRequest) -> PreparedRun:
        """Validate, plan and wire (settings parsed, models resolved); raises GraphValidationError
        naming every culprit."""
        graph = validate(request, self.limits)
        plan = make_plan(graph, request.trigger_node_id, request.cached_outputs)
        return PreparedRun(request, plan, self._wire(plan, request))

    def prepare_resume(self, request: FlowRequest, run_only: Collection[NodeId],
                       outputs: Mapping[NodeId, NodeOutput]) -> PreparedRun:
        """Validate `request` and plan to run exactly `run_only`, every other node's output in
        `outputs` feeding the run (the request's own trigger and cached outputs are not used)."""
        graph = validate(request, self.limits)
        plan = make_plan(graph, None, outputs, run_only=run_only)
        return PreparedRun(request, plan, self._wire(plan, request))

    def _wire(self, plan: ExecutionPlan, request: FlowRequest) -> GraphWiring:
        return wire(plan.graph, self.registry, request, self._parsed_settings, planned=frozenset(plan.planned),
                    tasks=self.services.model_tasks)

    def start(self, prepared: PreparedRun, *, run_id: RunId | None = None,
              parent_run_id: RunId | None = None) -> FlowRun:
        """Start a prepared run on the running event loop; iterate `run.batches()` for its events
        while it runs (with more than `limits.stream_high_water` unread, it waits for its reader)."""
        owner = prepared.request.options.owner
        node_slots = self.users.start_run(owner)
        try:
            run = FlowRun(
                run_id=run_id or new_run_id(),
                request=prepared.request,
                plan=prepared.plan,
                wiring=prepared.wiring,
                services=self.services,
                concurrency=self.limits.concurrency_for(prepared.request.options.max_concurrency),
                limits=self.limits,
                parent_run_id=parent_run_id,
                cache=self.cache,
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
