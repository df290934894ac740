"""Runs a flow in-process on an Engine (the real node types, the given services) and reads
its events back per node: `run = await run_flow(services, nodes, edges)`, then
`run.status("n")`, `run.output("n")`, `run.deltas("n")`, `run.progress("n")`, `run.completed`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from execution.engine import Engine
from execution.events import (
    Event,
    NodeOutputProduced,
    NodeProgress,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    TextDelta,
)
from execution.graph.model import Edge, Node, RunOptions
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.outputs import NodeOutput
from execution.run_limits import Limits
from execution.services import Services
from tests.builders import flow
from tests.statuses import final_statuses


@dataclass
class Run:
    events: list[Event]

    def final(self, node_id: str) -> NodeStatusChanged:
        return final_statuses(self.events)[node_id]

    def status(self, node_id: str) -> NodeStatus:
        return self.final(node_id).status

    def output(self, node_id: str) -> NodeOutput:
        [out] = [e.body.output for e in self.events
                 if isinstance(e.body, NodeOutputProduced) and e.body.node_id == node_id]
        return out

    def deltas(self, node_id: str) -> list[str]:
        return [e.body.chunk for e in self.events if isinstance(e.body, TextDelta) and e.body.node_id == node_id]

    def progress(self, node_id: str) -> list[NodeProgress]:
        return [e.body for e in self.events if isinstance(e.body, NodeProgress) and e.body.node_id == node_id]

    @property
    def completed(self) -> RunCompleted:
        body = self.events[-1].body
        assert isinstance(body, RunCompleted)
        return body


async def run_flow(services: Services, nodes: list[Node], edges: list[Edge], *, dry_run: bool = False,
                   provider_id: str = "mistral", trigger: str | None = None,
                   cached: dict[str, NodeOutput] | None = None, registry: NodeRegistry | None = None,
                   limits: Limits | None = None) -> Run:
    """Run the flow to its end on the built-in registry (or `registry`) and `limits`."""
    request = flow(nodes, edges, provider_id=provider_id, trigger=trigger, cached=cached)
    request = replace(request, options=RunOptions(dry_run=dry_run))
    return Run(await Engine(registry or builtin_registry(), services, limits).run(request))
