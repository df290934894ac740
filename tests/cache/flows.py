"""What the cache tests run: a 10-node LLM flow, a fake-provider reply that depends on the prompt
(so a changed input changes the output downstream), and an Engine with a NodeCache."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from execution.cache.memory_store import MemoryCacheStore
from execution.cache.mode import CacheMode
from execution.cache.node_cache import CacheConfig, NodeCache
from execution.cache.store import CacheStore
from execution.engine import Engine
from execution.graph.model import Edge, Node, RunOptions
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.services import Services
from tests.builders import edge, flow, node
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.run_flow import Run

# The LLM nodes of FLOW: each makes exactly one provider call.
LLM_NODES = ("p1", "e1", "t1", "g1", "e2", "t2", "g2", "p2", "e3", "t3")


def ten_node_flow(**changes: dict[str, Any]) -> tuple[list[Node], list[Edge]]:
    """Ten LLM nodes in two branches from one character; `changes` replaces nodes' settings:
    `ten_node_flow(e2={"notes": "noir"})`.

        ana ─adapter─▶ p1 ─▶ e1 ─▶ t1 ─▶ g1        ana ─adapter─▶ p2 ─▶ e3 ─▶ t3
                        └──▶ e2 ─▶ t2
                              └──▶ g2
    """
    settings: dict[str, tuple[str, dict[str, Any]]] = {
        "ana": ("consistentCharacter", {"characterName": "Ana", "characterDescription": "red hair, green eyes"}),
        "p1": ("initialPrompt", {"text": "Ana reads by the sea"}),
        "e1": ("promptEnhancer", {}),
        "t1": ("translator", {"language": "fr"}),
        "g1": ("grammarFix", {}),
        "e2": ("promptEnhancer", {"notes": "make it noir"}),
        "t2": ("translator", {"language": "de"}),
        "g2": ("grammarFix", {"style": "formal"}),
        "p2": ("initialPrompt", {"text": "Ana climbs the lighthouse"}),
        "e3": ("promptEnhancer", {}),
        "t3": ("translator", {"language": "es"}),
    }
    nodes = [node(node_id, node_type, **{**data, **changes.get(node_id, {})})
             for node_id, (node_type, data) in settings.items()]
    edges = [edge("ana", "p1", handle="adapter-persona"), edge("ana", "p2", handle="adapter-persona"),
             edge("p1", "e1"), edge("e1", "t1"), edge("t1", "g1"), edge("p1", "e2"), edge("e2", "t2"),
             edge("e2", "g2"), edge("p2", "e3"), edge("e3", "t3")]
    return nodes, edges


def by_prompt(request: ReceivedRequest) -> Reply:
    """A reply that is a function of the prompt: the same request, the same text."""
    return Reply.text(f"out-{hashlib.sha256(request.prompt.encode()).hexdigest()[:12]}")


def cached_engine(services: Services, store: CacheStore | None = None, *, registry: NodeRegistry | None = None,
                  clock: Callable[[], float] = time.time, **config: Any) -> Engine:
    """An engine on the built-in node types (or `registry`) with a NodeCache on `store` (memory)."""
    cache = NodeCache(store or MemoryCacheStore(), CacheConfig(**config), clock=clock)
    return Engine(registry or builtin_registry(), services, cache=cache)


class Clock:
    """A clock a test moves by hand (TTL)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def run(engine: Engine, nodes: list[Node], edges: list[Edge], *, owner: str = "local",
              mode: CacheMode = CacheMode.USE, dry_run: bool = False, provider_id: str = "mistral") -> Run:
    request = flow(nodes, edges, provider_id=provider_id)
    request = replace(request, options=RunOptions(owner=owner, cache_mode=mode, dry_run=dry_run))
    return Run(await engine.run(request))


def cached(run: Run, node_ids: tuple[str, ...] | list[str]) -> dict[str, bool]:
    return {n: run.output(n).cached for n in node_ids}
