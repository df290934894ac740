"""Figures 1 and 2, in-process: engine overhead per node, and makespan against the ideal.

The engine runs a registry with one executor, `bench.work`, which awaits `seconds` (or
returns at once); the floor scheduler runs the very same work on the very same Shape.
"""

from __future__ import annotations

import asyncio

from bench.floor_scheduler import run_floor, work
from bench.graphs import Shape, chain, fan_out, uneven_diamond
from bench.report import Figure
from bench.timing import timed_pair
from execution.context import NodeContext
from execution.engine import Engine
from execution.nodes.registry import NodeRegistry
from execution.nodes.setting_types import NodeSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.run_limits import Limits

NODE_TYPE = "bench.work"


class WorkSettings(NodeSettings):
    seconds: float = 0.0


async def _execute(ctx: NodeContext[WorkSettings]) -> NodeOutput:
    if ctx.settings.seconds:
        await asyncio.sleep(ctx.settings.seconds)
    return NodeOutput()


def bench_engine(max_concurrency: int = 2048) -> Engine:
    registry = NodeRegistry([NodeSpec(NODE_TYPE, NodeFamily.DIAGNOSTIC, _execute, WorkSettings,
                                      display_name="Work", description="bench work")])
    return Engine(registry, limits=Limits(max_nodes=100_000, max_edges=100_000, max_concurrency=max_concurrency))


async def _pair(engine: Engine, shape: Shape, repeats: int, concurrency: int = 0) -> tuple[float, float, int]:
    request = shape.to_domain(NODE_TYPE, max_concurrency=concurrency)
    events = len(await engine.run(request))
    flow, floor = await timed_pair(lambda: engine.run(request), lambda: run_floor(shape, work), repeats)
    return flow, floor, events


async def engine_overhead(quick: bool) -> list[Figure]:
    engine = bench_engine()
    n = 200
    flow, floor, events = await _pair(engine, chain(n), repeats=10 if quick else 40)
    per_node, floor_per_node = flow / n * 1e6, floor / n * 1e6
    return [Figure("1 engine", f"chain of {n} no-op nodes, per node", "µs/node", per_node, floor_per_node,
                   target="≤ 25", ok=per_node <= 25,
                   note=f"validate + plan + run + {events} events consumed, in-process; floor = bare asyncio "
                        "dependency counter",
                   extra={"events": events, "run_ms": flow * 1e3, "floor_ms": floor * 1e3})]


async def makespan(quick: bool) -> list[Figure]:
    engine = bench_engine()
    n, seconds = 1000, 0.05
    shape = fan_out(n, seconds)
    flow, floor, events = await _pair(engine, shape, repeats=3 if quick else 7, concurrency=n + 1)
    over, floor_over = (flow - shape.critical_path) * 1e3, (floor - shape.critical_path) * 1e3
    figures = [Figure("2 makespan", f"fan-out {n} x {seconds * 1e3:.0f} ms, over ideal", "ms", over, floor_over,
                      target="≤ 30", ok=over <= 30,
                      extra={"makespan_ms": flow * 1e3, "floor_makespan_ms": floor * 1e3, "events": events})]
    diamond = uneven_diamond()
    flow, floor, _ = await _pair(engine, diamond, repeats=3 if quick else 5)
    cp = diamond.critical_path
    figures.append(Figure("2 makespan", "uneven diamond / critical path", "x", flow / cp, floor / cp,
                          target="≤ 1.01", ok=flow / cp <= 1.01,
                          extra={"makespan_ms": flow * 1e3, "critical_path_ms": cp * 1e3}))
    return figures
