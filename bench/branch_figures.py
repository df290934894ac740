"""Figure 11, in-process: what branching costs — a case/merge diamond against the same diamond of
no-op nodes, run after run through the same engine.

The diamond: start → case → (left | right) → merge → end. flowexec's side is the real elements
(start, case with one condition and a default, a selector on each branch, merge "any", end) with
the run's input routing it left, so one branch is skipped (BRANCH_NOT_TAKEN) and the merge joins
what was taken; the floor is the same six nodes and six edges as `bench.work` no-ops (every node
runs). Both are validated, wired, planned and run, every event consumed, on one engine; a sample
is RUNS_PER_SAMPLE runs in a row, and the two kinds alternate sample by sample.
"""

from __future__ import annotations

import gc
import time

from bench.engine_figures import NODE_TYPE, bench_engine
from bench.report import Figure
from bench.stats import median
from execution.engine import Engine
from execution.graph.model import Edge, FlowRequest, Node
from execution.ids import EdgeId, FlowId, NodeId
from execution.nodes.builtin import builtin_registry

RUNS_PER_SAMPLE = 200
TARGET_RATIO = 1.10
_LINKS = (("start", "case", "", ""), ("case", "left", "left", ""), ("case", "right", "right", ""),
          ("left", "merge", "value", "left"), ("right", "merge", "value", "right"), ("merge", "end", "value", "result"))


def case_diamond() -> FlowRequest:
    nodes = (
        Node(NodeId("start"), "start"),
        Node(NodeId("case"), "case", {"input": "x", "default_output": "right",
                                      "cases": [{"output": "left", "operator": "equals", "value": "L"}]}),
        Node(NodeId("left"), "selector"),
        Node(NodeId("right"), "selector"),
        Node(NodeId("merge"), "merge", {"join": "any"}),
        Node(NodeId("end"), "end"),
    )
    edges = tuple(Edge(EdgeId(f"e{i}"), NodeId(a), NodeId(b), out, into) for i, (a, b, out, into) in enumerate(_LINKS))
    return FlowRequest(FlowId("case-diamond"), nodes, edges, initial_inputs={"x": "L"})


def noop_diamond() -> FlowRequest:
    nodes = tuple(Node(NodeId(n), NODE_TYPE) for n in ("start", "case", "left", "right", "merge", "end"))
    edges = tuple(Edge(EdgeId(f"e{i}"), NodeId(a), NodeId(b)) for i, (a, b, _, _) in enumerate(_LINKS))
    return FlowRequest(FlowId("noop-diamond"), nodes, edges)


def branching_engine() -> Engine:
    return Engine(builtin_registry().extended(bench_engine().registry), limits=bench_engine().limits)


async def _interleaved(engine: Engine, case: FlowRequest, noop: FlowRequest) -> tuple[float, float]:
    """One sample: RUNS_PER_SAMPLE runs of each, alternating run by run (both see the same load)."""
    spent_case = spent_noop = 0.0
    for _ in range(RUNS_PER_SAMPLE):
        started = time.perf_counter()
        await engine.run(case)
        middle = time.perf_counter()
        await engine.run(noop)
        spent_case += middle - started
        spent_noop += time.perf_counter() - middle
    return spent_case, spent_noop


async def branching(quick: bool) -> list[Figure]:
    engine = branching_engine()
    case, noop = case_diamond(), noop_diamond()
    events = len(await engine.run(case))
    await _interleaved(engine, case, noop)  # warm-up
    samples = []
    for _ in range(7 if quick else 21):
        gc.collect()
        samples.append(await _interleaved(engine, case, noop))
    ratio = median([c / n for c, n in samples])
    per_run = median([c for c, _ in samples]) / RUNS_PER_SAMPLE * 1e6
    floor_per_run = median([n for _, n in samples]) / RUNS_PER_SAMPLE * 1e6
    return [Figure("11 branching", "case/merge diamond vs the same diamond of no-op nodes, per run", "µs/run",
                   per_run, floor_per_run, target=f"ratio ≤ {TARGET_RATIO:.2f}", ok=ratio <= TARGET_RATIO,
                   note=f"validate + wire + plan + run + {events} events consumed, in-process; the case routes "
                        "left, the right branch is skipped; floor = six bench.work no-ops, same edges; runs "
                        f"alternate one by one; ratio = median of the samples' ratios ({ratio:.3f})",
                   extra={"runs_per_sample": RUNS_PER_SAMPLE, "ratio": ratio})]
