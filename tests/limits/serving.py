"""What the limit tests share: a real server on port 0 (with JWT auth, so each token's subject
is a user) whose chat providers are the fake vendors, with budgets as given; flows of
independent LLM nodes; and reading a run's events per node."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import jwt

from execution.cache.node_cache import NodeCache
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicies, BudgetPolicy
from execution.run_limits import Limits
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fixtures.servers import serving
from tests.statuses import final_statuses

SECRET = "test-secret-for-flowexec-limits-0123456789"


def bearer(user: str) -> list[tuple[str, str]]:
    token = jwt.encode({"sub": user, "exp": int(time.time()) + 120}, SECRET, algorithm="HS256")
    return [("authorization", f"Bearer {token}")]


@asynccontextmanager
async def limited_server(fake_openai: FakeOpenAI | None = None, fake_anthropic: FakeAnthropic | None = None, *,
                         budgets: dict[str, BudgetPolicy] | None = None, max_wait: float = 120.0,
                         limits: Limits | None = None, cache: NodeCache | None = None,
                         **provider_settings: Any) -> AsyncIterator[str]:
    """A started server (auth on) on the fake vendors; `budgets` per provider id; a node-output
    `cache` if given. Its target."""
    async with text_services(fake_openai, fake_anthropic, **provider_settings) as services:
        if budgets:
            services = replace(services, budgets=InProcessBudgets(BudgetPolicies(by_provider=budgets)),
                               max_budget_wait=max_wait)
        engine = Engine(builtin_registry(diagnostic_nodes=True), services, limits, cache=cache)
        async with serving(engine, auth_jwt_secret=SECRET) as server:
            yield server.target


def llm_nodes(*ideas: str, **data: Any) -> flow_service_pb2.ExecuteFlowRequest:
    """Independent storyTeller nodes n0, n1, … (one chat call each), on mistral unless `data` says."""
    return pb_request([pb_node(f"n{i}", "storyTeller", idea=idea, **data) for i, idea in enumerate(ideas)], [],
                      provider_id="mistral")


@dataclass
class Seen:
    """A run's events as a client saw them, with the time each arrived (monotonic seconds)."""

    events: list[events_pb2.NodeEvent]
    times: list[float]
    started: float

    @property
    def duration(self) -> float:
        return self.times[-1] - self.started

    @property
    def completed(self) -> events_pb2.RunCompleted:
        return self.events[-1].run_completed

    def waits(self) -> list[events_pb2.NodeWaiting]:
        return [e.node_waiting for e in self.events if e.HasField("node_waiting")]

    def final(self, node_id: str) -> events_pb2.NodeStatusChanged:
        return final_statuses(self.events)[node_id]

    def output(self, node_id: str) -> events_pb2.NodeOutputProduced:
        [out] = [e.node_output for e in self.events if e.HasField("node_output") and e.node_output.node_id == node_id]
        return out

    def when(self, node_id: str, status: int) -> list[float]:
        """Arrival times of the node's status changes to `status`."""
        return [t for e, t in zip(self.events, self.times, strict=True)
                if e.HasField("node_status") and e.node_status.node_id == node_id and e.node_status.status == status]


async def run(target: str, user: str, request: flow_service_pb2.ExecuteFlowRequest) -> Seen:
    started = time.monotonic()
    seen = Seen([], [], started)
    async with FlowClient(target, metadata=bearer(user)) as client:
        async for event in client.execute_flow(request, timeout=60):
            seen.events.append(event)
            seen.times.append(time.monotonic())
    return seen
