"""FlowRun: executes one ExecutionPlan with dependency-driven parallelism.

A node starts the moment every planned node it depends on has settled — no levels, no
supersteps — bounded by `concurrency` slots. A node that fails makes its downstream nodes
SKIPPED (UPSTREAM_FAILED) without running them; independent branches go on. A node reached only
through branches not taken (a case or flow_select routed elsewhere) ends SKIPPED
(BRANCH_NOT_TAKEN); a merge runs when its join policy says, once (execution.nodes.ports,
execution.port_inputs). Node tasks live in one TaskGroup, so cancelling the run cancels them
all and nothing outlives it; nodes that had not finished end CANCELLED with the run's cancel
reason — RUN_TIME_LIMIT when the request's time limit passed.

Runnable nodes wait in a FIFO, not as tasks blocked on a semaphore: there is at most one task
per slot, and a task that finishes a node goes on with the next runnable one (for a chain,
its own dependent). A 5000-node flow thus holds `concurrency` tasks, not 5000 — fewer live
objects for the garbage collector and no task start-up per link of a chain.

A slot is the run's own, and also one of its owner's node slots when the owner's running
nodes are capped (execution.ratelimit.user_caps: shared by all of the owner's runs, which wake
one another as slots free). A node that must wait for a rate limit (`_pause`, reached through
its provider call's gate) gives its slot back for the wait, so another node runs meanwhile,
and tells the client (NodeWaiting); when the wait is over it takes a slot again, before any
node that has not started yet, and is RUNNING again. A run's waiting nodes hold tasks but no
slots, so a run may hold more tasks than slots while some wait.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import replace
from functools import partial
from itertools import chain
from types import MappingProxyType, TracebackType
from typing import Any

from execution.cache.node_cache import NO_CACHE, NodeCache
from execution.context import NodeContext
from execution.errors import NodeError
from execution.events import (
    BRANCH_NOT_TAKEN_MESSAGE,
    UPSTREAM_FAILED_MESSAGE,
    Event,
    EventBody,
    NodeOutputProduced,
    NodeProgress,
    NodeStatus,
    NodeStatusChanged,
    NodeStep,
    NodeWaiting,
    RunCompleted,
    RunFailed,
    RunStarted,
    StatusCounts,
    StatusReason,
)
from execution.graph.model import FlowRequest, Node
from execution.graph.plan import ExecutionPlan
from execution.ids import NodeId, RunId
from execution.model_resolution import ResolvedModel, names_model, resolve_node_model
from execution.node_redaction import NodeRedaction
from execution.nodes.spec import NodeSpec
from execution.outputs import NO_USAGE, NodeOutput
from execution.port_inputs import Gate, decide, delivers, gather
from execution.quoting import quote, shorten
from execution.ratelimit.gate import UNGATED, CallGate, Wait
from execution.ratelimit.user_caps import NodeSlots
from execution.run_limits import Limits
from execution.services import Services
from execution.stream import EventStream
from execution.text_limits import TextMeter
from execution.wiring import GraphWiring

log = logging.getLogger("flowexec.run")

_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class FlowRun:
    def __init__(
        self,
        run_id: RunId,
        request: FlowRequest,
        plan: ExecutionPlan,
        wiring: GraphWiring,
        services: Services,
        concurrency: int,
        limits: Limits | None = None,
        parent_run_id: RunId | None = None,
        cache: NodeCache | None = None,
        node_slots: NodeSlots | None = None,
    ) -> None:
        self.run_id = run_id
        self.parent_run_id = parent_run_id
        self.request = request
        self.plan = plan
        self._wiring = wiring.nodes
        self._services = services
        # Nodes run through it: an output it holds for the node's key stands in for the executor.
        self._cache = cache.for_run(request.options) if cache is not None else NO_CACHE
        self._free_slots = concurrency
        self._runnable: deque[tuple[NodeId, Node, NodeSpec]] = deque()
        # Nodes back from a wait, each waiting for a slot; served before `_runnable`.
        self._resuming: deque[asyncio.Future[None]] = deque()
        # The owner's node slots (None: not capped) and how many of them this run holds.
        self._node_slots = node_slots
        self._owner_slots = 0
        self._closed = False
        limits = limits or Limits()
        self._stream = EventStream(run_id, high_water=limits.stream_high_water)
        # Only when secrets are configured: a node's text then crosses a streaming redactor.
        self._redaction = NodeRedaction(services.redactor) if services.redactor.active else None
        self._status: dict[NodeId, NodeStatus] = {n: NodeStatus.PENDING for n in plan.planned}
        self._failed: set[NodeId] = set()
        # Nodes SKIPPED because the branches reaching them were not taken.
        self._not_taken: set[NodeId] = set()
        # Early-joining nodes (ANY, FIRST_NON_NULL) among the planned ones, and those that fired.
        self._early = wiring.early
        self._fired: set[NodeId] = set()
        # Nodes whose values are the run's results (end), in plan order.
        self._result_nodes = wiring.results
        self._outputs: dict[NodeId, NodeOutput] = dict(plan.cached)
        self._text = TextMeter(limits, plan.cached)
        self._waiting = {n: len(deps) for n, deps in plan.waits_for.items()}
        self._dependents: dict[NodeId, list[NodeId]] = {n: [] for n in plan.planned}
        for node_id, deps in plan.waits_for.items():
            for dep in deps:
                self._dependents[dep].append(node_id)
        self._unsettled = len(plan.planned)
        self._all_settled = asyncio.Event()
        self._usage = NO_USAGE
        self._flow_model: ResolvedModel | None = None
        self._cancel_reason = StatusReason.CLIENT_CANCELLED
        self._timed_out = False
        self._task_group: asyncio.TaskGroup | None = None
        self._task: asyncio.Task[None] | None = None
        self.started_ns = 0
        self.finished = asyncio.Event()

    # -- public -------------------------------------------------------------------------

    def start(self, on_done: Callable[[FlowRun], object] | None = None) -> FlowRun:
        self._task = asyncio.create_task(self._run(), name=f"flowexec-run-{self.run_id}")
        if on_done is not None:
            self._task.add_done_callback(lambda _task: on_done(self))
        return self

    def batches(self) -> AsyncIterator[list[Event]]:
        """Events in seq order, in batches of whatever is queued; ends after the last event."""
        return self._stream.batches()

    async def cancel(self, reason: StatusReason = StatusReason.CLIENT_CANCELLED) -> None:
        """Cancel the run and wait until every node task has stopped."""
        task = self._task
        if task is None or task.done():
            return
        if not self.started_ns:
            # Cancelled before its task first ran, the run would end without a single event:
            # let it start (RunStarted, PENDING) so that it ends like any cancelled run.
            await asyncio.sleep(0)
        self._cancel_reason = reason
        task.cancel()
        await asyncio.wait([task])

    def status(self, node_id: NodeId) -> NodeStatus:
        return self._status[node_id]

    async def __aenter__(self) -> FlowRun:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.cancel(self._cancel_reason)

    # -- the run ------------------------------------------------------------------------

    async def _run(self) -> None:
        self.started_ns = time.perf_counter_ns()
        plan = self.plan
        self._emit(
            RunStarted(
                flow_id=self.request.flow_id,
                planned_node_ids=plan.planned,
                cached_node_ids=tuple(plan.cached),
                dry_run=self.request.options.dry_run,
                parent_run_id=self.parent_run_id,
            )
        )
        for node_id in plan.planned:
            self._emit(NodeStatusChanged(node_id, NodeStatus.PENDING))
        log.info("run %s started: flow=%s planned=%d cached=%d", self.run_id, shorten(self.request.flow_id),
                 len(plan.planned), len(plan.cached))
        limit_ms = self.request.options.max_execution_ms
        timer = asyncio.get_running_loop().call_later(limit_ms / 1000, self._time_up) if limit_ms > 0 else None
        try:
            async with asyncio.TaskGroup() as group:
                self._task_group = group
                self._settle([n for n in plan.planned if self._waiting[n] == 0 or self._fires_on_cached(n)])
                self._dispatch()
                if self._unsettled:  # no task may be running (the owner's node slots all taken elsewhere)
                    await self._all_settled.wait()
        except asyncio.CancelledError:
            timed_out = self._timed_out
            message = f"The run's time limit of {limit_ms} ms passed" if timed_out else "Run cancelled"
            for node_id, status in self._status.items():
                if not status.terminal:
                    self._set(node_id, NodeStatus.CANCELLED, self._cancel_reason, message)
            self._complete()
            task = asyncio.current_task()
            if timed_out and task is not None and task.uncancel() == 0:
                return  # our own time limit: the run ended as it should
            raise
        except BaseException as exc:  # an engine fault, not a node failure
            log.exception("run %s failed", self.run_id)
            self._emit(RunFailed(f"internal engine error: {type(exc).__name__}"))
            self._close()
            raise
        else:
            self._complete()
        finally:
            if timer is not None:
                timer.cancel()
            self._release_owner_slots()

    def _release_owner_slots(self) -> None:
        """The run is over: whatever it held of its owner's node slots goes back (nodes cancelled
        mid-way included), and it stops waiting for one."""
        self._closed = True
        slots = self._node_slots
        if slots is not None:
            slots.forget(self)
            held, self._owner_slots = self._owner_slots, 0
            if held:
                slots.give_back(held)

    def _time_up(self) -> None:
        task = self._task
        if task is not None and not task.done() and not self.finished.is_set():
            self._cancel_reason = StatusReason.RUN_TIME_LIMIT
            self._timed_out = True
            task.cancel()

    def _fires_on_cached(self, node_id: NodeId) -> bool:
        """An early-joining node one of whose cached inputs already delivers (it fires at once)."""
        if node_id not in self._early:
            return False
        wiring = self._wiring[node_id]
        for source in {e.source for e in wiring.edges if e.source in self.plan.cached}:
            if delivers(wiring, source, self._outputs, self._failed, self._not_taken):
                self._fired.add(node_id)
                return True
        return False

    def _settle(self, ready: list[NodeId]) -> None:
        """Queue ready nodes to run; settle at once (worklist, no recursion) those that cannot."""
        queue = deque(ready)
        nodes, failed, not_taken, wirings = self.plan.graph.nodes, self._failed, self._not_taken, self._wiring
        while queue:
            node_id = queue.popleft()
            node = nodes[node_id]
            wiring = wirings[node_id]
            spec = wiring.spec
            gate = Gate.RUN
            if (failed or not_taken or wiring.gated) and node_id not in self._fired:
                gate = decide(wiring, self.plan.graph.upstream[node_id], self._outputs, failed, not_taken)
            if gate is Gate.UPSTREAM_FAILED:
                failed.add(node_id)
                self._set(node_id, NodeStatus.SKIPPED, StatusReason.UPSTREAM_FAILED, UPSTREAM_FAILED_MESSAGE)
            elif gate is Gate.BRANCH_NOT_TAKEN:
                not_taken.add(node_id)
                self._set(node_id, NodeStatus.SKIPPED, StatusReason.BRANCH_NOT_TAKEN, BRANCH_NOT_TAKEN_MESSAGE)
            elif spec is None:
                self._set(node_id, NodeStatus.SKIPPED, StatusReason.NO_EXECUTOR,
                          f"No executor for node type '{node.type}'")
            else:
                self._runnable.append((node_id, node, spec))
                continue
            queue.extend(self._release(node_id))

    def _dispatch(self) -> None:
        """Give slots, while there are free ones, to nodes back from a wait, then to queued
        runnable nodes (a slot and a task each).

        A node is RUNNING from the moment it holds a slot, so that event leaves with the
        events that freed the way for it (one stream message, not two).
        """
        if self._closed:
            return
        assert self._task_group is not None
        resuming, runnable = self._resuming, self._runnable
        while resuming and resuming[0].done():  # its run is being cancelled
            resuming.popleft()
        while (resuming or runnable) and self._take_slot():
            if resuming:
                resuming.popleft().set_result(None)
                continue
            step = runnable.popleft()
            self._set(step[0], NodeStatus.RUNNING)
            self._task_group.create_task(self._execute(step), name=f"flowexec-node-{step[0]}")

    def _take_slot(self) -> bool:
        if not self._free_slots:
            return False
        slots = self._node_slots
        if slots is not None:
            if not slots.take(self, self._dispatch):  # the owner's other runs hold them: woken later
                return False
            self._owner_slots += 1
        self._free_slots -= 1
        return True

    def _give_slot(self) -> None:
        self._free_slots += 1
        slots = self._node_slots
        if slots is not None:
            self._owner_slots -= 1
            slots.give_back()  # may start a node of another of the owner's runs at once

    def _release(self, node_id: NodeId) -> list[NodeId]:
        """Mark node_id settled for its dependents; return those now ready."""
        ready = []
        waiting, early, fired = self._waiting, self._early, self._fired
        for dependent in self._dependents[node_id]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                if dependent not in fired:
                    ready.append(dependent)
            elif (early and dependent in early and dependent not in fired
                  and delivers(self._wiring[dependent], node_id, self._outputs, self._failed, self._not_taken)):
                fired.add(dependent)  # an ANY / FIRST_NON_NULL join fires once, on its first delivery
                ready.append(dependent)
        return ready

    async def _execute(self, first: tuple[NodeId, Node, NodeSpec]) -> None:
        """A slot's task: run a node, then the next runnable one (FIFO), until none is left."""
        step: tuple[NodeId, Node, NodeSpec] | None = first
        while step is not None:
            node_id = step[0]
            if self._stream.congested:  # the reader is behind: run no further node ahead of it
                await self._stream.wait_for_reader()
            await self._run_node(*step)
            self._settle(self._release(node_id))
            step = self._next_step()
            self._dispatch()

    def _next_step(self) -> tuple[NodeId, Node, NodeSpec] | None:
        """What a task does with its slot once its node is done: hand it to a node back from a
        wait; keep it for the next runnable node (unless the owner's other runs wait for a node
        slot: then it goes back, for them to take in turn); or give it back."""
        resuming = self._resuming
        while resuming:
            waiter = resuming.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return None
        slots = self._node_slots
        if self._runnable and (slots is None or not slots.contended):
            step = self._runnable.popleft()
            self._set(step[0], NodeStatus.RUNNING)
            return step
        self._give_slot()
        return None

    async def _pause(self, node_id: NodeId, wait: Wait) -> None:
        """A node's provider call waits for a rate limit: the node gives its slot back (another
        node may start with it), tells the client, sleeps, then takes a slot again — before
        any node that has not started — and is RUNNING again."""
        self._emit(NodeWaiting(node_id, wait.provider_id, wait.reason, math.ceil(wait.seconds * 1000)))
        self._give_slot()
        self._dispatch()
        await asyncio.sleep(wait.seconds)
        if self._resuming or not self._take_slot():
            waiter = asyncio.get_running_loop().create_future()
            self._resuming.append(waiter)
            await waiter
        self._set(node_id, NodeStatus.RUNNING)

    async def _run_node(self, node_id: NodeId, node: Node, spec: NodeSpec) -> None:
        graph = self.plan.graph
        too_much = self._text.inputs_problem(chain(graph.text_inputs[node_id], graph.adapter_inputs[node_id]))
        if too_much is not None:
            self._fail(node_id, StatusReason.INVALID_INPUT, too_much, False)
            return
        wiring = self._wiring[node_id]
        try:
            if wiring.settings_error is not None:  # InvalidSettings: a setting that does not fit
                raise wiring.settings_error
            if spec.default_model is None and not (node.data and names_model(node.data)):
                model = self._flow_model or self._resolve_flow_model()  # the same for every such node
            else:
                model = resolve_node_model(spec.default_model, node.data, self.request.provider_id,
                                           tasks=self._services.model_tasks,
                                           request_mode=self.request.options.execution_mode)
        except NodeError as err:  # a setting or a `task:` model that does not fit fails this node
            self._fail(node_id, err.reason, err.message, err.retryable)
            return
        values: Mapping[str, Any]
        if wiring.named:
            got = gather(wiring, self._outputs, self._failed, self._not_taken)
            if got.missing is not None:
                self._fail(node_id, StatusReason.INVALID_INPUT, f"required input {quote(got.missing)} has no value", False)
                return
            inputs, adapter_inputs, values, edge_values = got.inputs, got.adapter_inputs, got.values, got.edge_values
        else:
            inputs, adapter_inputs = self._collect(graph.text_inputs[node_id]), self._collect(graph.adapter_inputs[node_id])
            values, edge_values = _NO_VALUES, ()
        context = NodeContext(
            run_id=self.run_id,
            node_id=node_id,
            node_type=node.type,
            settings=wiring.settings,
            inputs=inputs,
            adapter_inputs=adapter_inputs,
            model=model,
            dry_run=self.request.options.dry_run,
            services=self._services,
            _emit_text=self._emit_text,
            _emit_step=self._emit_step,
            gate=self._gate(node_id) if spec.calls_provider and not self.request.options.dry_run else UNGATED,
            _emit_progress=self._emit_progress,
            _report=self._report,
            values=values,
            edge_values=edge_values,
            run_inputs=self.request.initial_inputs,
        )
        started = time.perf_counter_ns()
        try:
            output = await self._cache.run(spec, context)
        except NodeError as err:
            failure = self._text.stream_overflow(node_id) or err
            self._fail(node_id, failure.reason, failure.message, failure.retryable)
        except Exception as exc:  # an executor bug must not take the run down
            log.exception("run %s node %s (%s): executor raised", self.run_id, shorten(node_id), shorten(node.type))
            self._fail(node_id, StatusReason.INTERNAL, f"Internal error in '{node.type}' executor: "
                       f"{type(exc).__name__}: {exc}", False)
        else:
            if self._redaction is not None:
                tail, output = self._redaction.finish(node_id, output)
                if tail:
                    self._stream.put_text(node_id, tail)
            # Checked after redaction: a cut must never split a key.
            if (too_much := self._text.accept(node_id, output)) is not None:
                self._fail(node_id, StatusReason.INVALID_INPUT, too_much, False)
                return
            duration_ms = (time.perf_counter_ns() - started) // 1_000_000
            if output.duration_ms != duration_ms:  # replace() costs ~2 µs; skip the no-op copy
                output = replace(output, duration_ms=duration_ms)
            self._outputs[node_id] = output
            if output.usage:
                self._usage += output.usage
            self._emit(NodeOutputProduced(node_id, output))
            self._set(node_id, NodeStatus.COMPLETE)

    def _resolve_flow_model(self) -> ResolvedModel:
        """The model of a node whose type has no default and whose settings name none: the flow's."""
        self._flow_model = resolve_node_model(None, _NO_VALUES, self.request.provider_id,
                                              tasks=self._services.model_tasks,
                                              request_mode=self.request.options.execution_mode)
        return self._flow_model

    def _gate(self, node_id: NodeId) -> CallGate:
        services = self._services
        return CallGate(self.request.options.owner, services.budgets, partial(self._pause, node_id),
                        services.max_budget_wait)

    def _collect(self, sources: tuple[NodeId, ...]) -> tuple[NodeOutput, ...]:
        outputs = self._outputs
        return tuple(outputs[s] for s in sources if s in outputs)

    def _fail(self, node_id: NodeId, reason: StatusReason, message: str, retryable: bool) -> None:
        message = self._services.redactor.redact(message)
        if self._redaction is not None:
            self._redaction.drop(node_id)
        log.warning("run %s node %s error (%s): %s", self.run_id, shorten(node_id), reason.value, message)
        self._failed.add(node_id)
        self._set(node_id, NodeStatus.ERROR, reason, message, retryable)

    # -- events -------------------------------------------------------------------------

    def _set(self, node_id: NodeId, status: NodeStatus, reason: StatusReason = StatusReason.NONE,
             message: str = "", retryable: bool = False) -> None:
        if status.terminal:
            self._unsettled -= 1
            if not self._unsettled:
                self._all_settled.set()
        self._status[node_id] = status
        self._emit(NodeStatusChanged(node_id, status, reason, message, retryable))

    def _report(self, node_id: NodeId, message: str) -> None:
        """Progress of a running node: RUNNING again, with a message (secrets redacted)."""
        if self._status.get(node_id) is NodeStatus.RUNNING:
            self._emit(NodeStatusChanged(node_id, NodeStatus.RUNNING, message=self._services.redactor.redact(message)))

    def _emit_text(self, node_id: NodeId, chunk: str) -> None:
        if self._redaction is not None:
            chunk = self._redaction.chunk(node_id, chunk)
            if not chunk:
                return
        self._text.count_streamed(node_id, chunk)  # raises StreamedTextTooLarge past the limit
        self._stream.put_text(node_id, chunk)

    def _emit_progress(self, progress: NodeProgress) -> None:
        # Never after the node settled; and dropped while the reader is behind (the next report
        # says more, and a backend reporting every step must not grow a stalled run's queue).
        if self._status.get(progress.node_id) is NodeStatus.RUNNING and not self._stream.congested:
            self._stream.put(progress)

    def _emit_step(self, step: NodeStep) -> None:
        # A step's text counts as text the node sends (raises StreamedTextTooLarge past the limit).
        if step.text:
            step = replace(step, text=self._services.redactor.redact(step.text))
            self._text.count_streamed(step.node_id, step.text)
        self._stream.put(step)

    def _emit(self, body: EventBody) -> None:
        self._stream.put(body)

    def _complete(self) -> None:
        tally = {s: 0 for s in NodeStatus}
        for status in self._status.values():
            tally[status] += 1
        counts = StatusCounts(
            complete=tally[NodeStatus.COMPLETE],
            error=tally[NodeStatus.ERROR],
            skipped=tally[NodeStatus.SKIPPED],
            cancelled=tally[NodeStatus.CANCELLED],
        )
        duration_ms = (time.perf_counter_ns() - self.started_ns) // 1_000_000
        self._emit(RunCompleted(outputs=self._text.summary(self._outputs), counts=counts, duration_ms=duration_ms,
                                usage=self._usage, results=self._results()))
        log.info("run %s finished in %d ms: complete=%d error=%d skipped=%d cancelled=%d", self.run_id,
                 duration_ms, counts.complete, counts.error, counts.skipped, counts.cancelled)
        self._close()

    def _results(self) -> dict[str, Any]:
        """The values of the result nodes (`end`) that have an output, in plan order."""
        results: dict[str, Any] = {}
        for node_id in self._result_nodes:
            output = self._outputs.get(node_id)
            if output is not None:
                results.update(output.values)
        return results

    def _close(self) -> None:
        self._stream.close()
        self.finished.set()
