"""Figure 4: many concurrent ExecuteFlow streams of a 10-node flow against a 100 ms provider.

The nodes are the real text nodes calling bench.fake_provider (its own process) when they
exist, and always diag.delay nodes sleeping 100 ms (flowexec's own share without the provider
client). Each level (200, 1000 streams) gets a fresh `flowexec serve` process so its peak RSS
(VmHWM) is that level's. The floor is the raw grpc.aio server replaying, per stream, the message sizes and
100 ms pauses flowexec produced for one solo run: the same events at the same ideal times.

With the text nodes, the server's CPU per LLM node (all of a run's CPU over its ten calls: SDK,
HTTP, engine and gRPC together) is set against the raw floor of one call (bench.llm_floor: the
same streamed calls to the same fake by bare aiohttp, in a process of its own, same run).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from bench import llm_flows
from bench.graphs import Shape, ten_node_flow
from bench.grpc_floor import open_stream
from bench.processes import ServerProcess, fake_provider, floor_server, flowexec_server
from bench.report import Figure
from bench.stats import median, percentile
from bench.stream_figures import CHANNEL_OPTIONS
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc

LATENCY = 0.1
MIB = 1024 * 1024
LLM_NODES = 10  # every node of llm_flows.ten_llm_nodes makes one call
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LoadResult:
    durations: list[float] = field(default_factory=list)
    events: int = 0
    errors: int = 0
    wall: float = 0.0
    peak_rss: int = 0
    cpu: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    # (seconds after the start, events received) of each failed call
    error_times: list[tuple[float, int]] = field(default_factory=list)


async def _sample_rss(server: ServerProcess, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.memory().get("VmRSS", 0))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.02)


async def _load(server: ServerProcess, runs: int,
                one_run: Callable[[], AsyncIterator[events_pb2.NodeEvent]]) -> LoadResult:
    result = LoadResult()
    peak = [0]
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, peak, stop))

    async def run() -> None:
        start = time.perf_counter()
        count, ok = 0, False
        try:
            async for event in one_run():
                count += 1
                if event.HasField("run_completed"):
                    counts = event.run_completed.counts
                    ok = counts.error == counts.cancelled == counts.skipped == 0
        except grpc.aio.AioRpcError as err:
            result.error_samples.append(f"{err.code().name}: {err.details()}")
            result.error_times.append((time.perf_counter() - start, count))
        result.durations.append(time.perf_counter() - start)
        result.events += count
        result.errors += 0 if ok else 1

    start, cpu = time.perf_counter(), server.cpu_seconds()
    await asyncio.gather(*(run() for _ in range(runs)))
    result.wall = time.perf_counter() - start
    result.cpu = server.cpu_seconds() - cpu
    stop.set()
    await sampler
    result.peak_rss = max(peak[0], server.memory().get("VmHWM", 0))
    return result


async def _floor_plan(target: str, request: flow_service_pb2.ExecuteFlowRequest) -> dict[str, list]:
    """Message sizes of one solo flowexec run, and the ideal pause (0 or n × LATENCY) before each."""
    sizes, sleeps = [], []
    async with grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS) as channel:
        last = time.perf_counter()
        async for response in flow_service_pb2_grpc.FlowServiceStub(channel).ExecuteFlow(request):
            now = time.perf_counter()
            sizes.append(len(response.events))
            sleeps.append(round((now - last) / LATENCY) * LATENCY)
            last = now
    sleeps[0] = 0.0
    return {"batches": sizes, "sleeps": sleeps}


def _floor_events(channel: grpc.aio.Channel, plan: dict[str, list]) -> Callable[
        [], AsyncIterator[events_pb2.NodeEvent]]:
    async def events() -> AsyncIterator[events_pb2.NodeEvent]:
        async for response in open_stream(channel, plan):
            for event in response.events:
                yield event
        completed = events_pb2.NodeEvent()
        completed.run_completed.SetInParent()
        yield completed  # the floor has no RunCompleted; count the stream's end as success
    return events


async def concurrency(quick: bool) -> list[Figure]:
    """Both node kinds when the text nodes exist: diag.delay isolates flowexec's own cost (engine,
    gRPC), the text nodes add the provider client's (SDK, HTTP) on top."""
    shape = ten_node_flow(LATENCY)
    kinds = ["diag", "llm"] if llm_flows.available() else ["diag"]
    figures: list[Figure] = []
    for runs in (200,) if quick else (200, 1000):
        for kind in kinds:
            # diag levels take a second or two: repeat them and keep medians; an LLM level, far
            # slower, runs once.
            figures += await _level(shape, runs, kind, repeats=3 if kind == "diag" else 1)
    return figures


async def _llm_floor(target: str, calls: int) -> float:
    """CPU seconds per call of bench.llm_floor against the fake at `target`."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.llm_floor", "--target", target, "--calls", str(calls),
        "--concurrency", str(min(calls, 800)), cwd=ROOT, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    result = json.loads(out)
    return float(result["cpu_s"]) / result["calls"]


async def _level(shape: Shape, runs: int, kind: str, repeats: int) -> list[Figure]:
    floor_per_call: list[float] = []
    async with AsyncExitStack() as stack:
        if kind == "llm":
            fake = await stack.enter_async_context(fake_provider(LATENCY, chunks=5))
            request, what = llm_flows.ten_llm_nodes(shape), "real text nodes → bench fake OpenAI-compatible server"
            server = await stack.enter_async_context(flowexec_server(env=llm_flows.server_env(fake.target)))
        else:
            request, what = shape.to_proto("diag.delay"), "diag.delay nodes"
            server = await stack.enter_async_context(flowexec_server())
        idle_rss = server.memory()["VmRSS"]
        client = await stack.enter_async_context(FlowClient(server.target))
        plan = await _floor_plan(server.target, request)
        await _load(server, 20, lambda: client.execute_flow(request))  # warm-up
        flow = [await _load(server, runs, lambda: client.execute_flow(request)) for _ in range(repeats)]
        if kind == "llm":
            floor_per_call = [await _llm_floor(fake.target, runs * LLM_NODES) for _ in range(max(repeats, 3))]
    async with floor_server() as floor, \
            grpc.aio.insecure_channel(floor.target, options=CHANNEL_OPTIONS) as channel:
        await _load(floor, 20, _floor_events(channel, plan))
        base = [await _load(floor, runs, _floor_events(channel, plan)) for _ in range(repeats)]
    for result in base:
        result.events -= runs  # the synthetic completion events
    what = f"{what}, {LATENCY * 1e3:.0f} ms per call; {len(plan['batches'])} messages per run"
    figures = _figures(shape, runs, kind, flow, base, what, idle_rss)
    if floor_per_call:
        per_node = median([r.cpu / runs / LLM_NODES for r in flow]) * 1e3
        floor_ms = median(floor_per_call) * 1e3
        figures.insert(4, Figure(
            f"4 {kind} x{runs}", "server CPU per LLM node", "ms", per_node, floor_ms, target="≤ 1.5", ok=per_node <= 1.5,
            note=f"server CPU per run / {LLM_NODES} calls (SDK, HTTP, engine, gRPC); floor = bench.llm_floor, the "
                 f"same {runs * LLM_NODES} streamed calls to the same fake by bare aiohttp (median of "
                 f"{len(floor_per_call)}: {', '.join(f'{f * 1e3:.3f}' for f in floor_per_call)} ms)"))
    return figures


def _figures(shape: Shape, runs: int, kind: str, flow: list[LoadResult], base: list[LoadResult], what: str,
             idle_rss: int) -> list[Figure]:
    ideal = shape.critical_path

    def over(results: list[LoadResult], q: float) -> float:
        return median([percentile([d - ideal for d in r.durations], q) for r in results]) * 1e3

    def rate(results: list[LoadResult]) -> float:
        return median([r.events / r.wall for r in results])

    def cpu(results: list[LoadResult]) -> float:
        return median([r.cpu / runs for r in results]) * 1e3

    p50, p99 = over(flow, 50), over(flow, 99)
    errors = sum(r.errors for r in flow)
    peak = max(r.peak_rss for r in flow)
    group = f"4 {kind} x{runs}"
    samples = sorted({e for r in flow for e in r.error_samples})[:3]
    error_note = "; ".join(samples)
    times = [t for r in flow for t in r.error_times]
    if times:
        after = sorted(t for t, _ in times)
        error_note += (f" — {len(after)} calls failed {after[0]:.1f}–{after[-1]:.1f} s after their start having "
                       f"received {max(n for _, n in times)} events at most")
        if max(n for _, n in times) == 0:
            error_note += (" (never picked up? grpc-core cancels a call left in the server's unrequested queue "
                           "longer than FLOWEXEC_CALL_PICKUP_SECONDS, 300 s; gRPC's own default was 30 s)")
    repeated = f"median of {len(flow)} loads" if len(flow) > 1 else "one load"
    walls = ", ".join(f"{r.wall:.2f}" for r in flow)
    return [
        Figure(group, "total events/s", "events/s", rate(flow), rate(base),
               note=f"{runs} concurrent 10-node flows ({what}); ideal run {ideal * 1e3:.0f} ms (4 calls deep); "
                    f"{repeated}, wall {walls} s; {flow[0].events // max(runs, 1)} events per run",
               extra={"events": [r.events for r in flow], "wall_s": [r.wall for r in flow]}),
        Figure(group, "run duration over ideal, p50", "ms", p50, over(base, 50)),
        Figure(group, "run duration over ideal, p99", "ms", p99, over(base, 99), target="≤ 2 × p50",
               ok=p99 <= 2 * p50),
        Figure(group, "server CPU per run", "ms", cpu(flow), cpu(base),
               note=f"server process CPU (all threads) / runs; {median([r.cpu / r.wall for r in flow]):.2f} "
                    "cores busy during the load"),
        Figure(group, "errors", "runs", errors, sum(r.errors for r in base), target="0", ok=errors == 0,
               note=error_note),
        Figure(group, "server peak RSS", "MiB", peak / MIB, max(r.peak_rss for r in base) / MIB,
               target="≤ 150" if runs == 1000 else "", ok=peak / MIB <= 150 if runs == 1000 else None,
               note=f"idle server after start-up: {idle_rss / MIB:.0f} MiB; floor = a bare grpc.aio process",
               extra={"idle_rss_mib": idle_rss / MIB}),
    ]
