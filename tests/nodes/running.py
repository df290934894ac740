"""Runs a flow in-process on an Engine with the real text nodes and fake-backed providers,
and reads the events back per node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from execution.engine import Engine
from execution.events import Event, NodeOutputProduced, NodeStatus, NodeStatusChanged, RunCompleted, TextDelta
from execution.graph.model import Edge, Node, RunOptions
from execution.nodes.builtin import builtin_registry
from execution.outputs import NodeOutput
from execution.services import Services
from tests.builders import flow
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import fake_settings


@dataclass
class Run:
    events: list[Event]

    def final(self, node_id: str) -> NodeStatusChanged:
        return [e.body for e in self.events if isinstance(e.body, NodeStatusChanged) and e.body.node_id == node_id][-1]

    def status(self, node_id: str) -> NodeStatus:
        return self.final(node_id).status

    def output(self, node_id: str) -> NodeOutput:
        [out] = [e.body.output for e in self.events
                 if isinstance(e.body, NodeOutputProduced) and e.body.node_id == node_id]
        return out

    def deltas(self, node_id: str) -> list[str]:
        return [e.body.chunk for e in self.events if isinstance(e.body, TextDelta) and e.body.node_id == node_id]

    @property
    def completed(self) -> RunCompleted:
        body = self.events[-1].body
        assert isinstance(body, RunCompleted)
        return body


@asynccontextmanager
async def text_services(openai: FakeOpenAI | None = None, anthropic: FakeAnthropic | None = None,
                        **overrides: Any) -> AsyncIterator[Services]:
    services = Services.from_settings(fake_settings(openai, anthropic, **overrides))
    try:
        yield services
    finally:
        await services.aclose()


async def run_flow(services: Services, nodes: list[Node], edges: list[Edge], *, dry_run: bool = False,
                   provider_id: str = "mistral") -> Run:
    request = replace(flow(nodes, edges, provider_id=provider_id), options=RunOptions(dry_run=dry_run))
    return Run(await Engine(builtin_registry(), services).run(request))
