"""Figure 4: many concurrent ExecuteFlow streams of a 10-node flow against a 100 ms provider.

The nodes are the real text nodes calling bench.fake_provider (its own process) when they
exist, else diag.delay nodes sleeping 100 ms; the output says which. Each level (200, 1000 streams) gets a fresh `flowexec serve` process so its peak RSS (VmHWM) is
that level's. The floor is the raw grpc.aio server replaying, per stream, the message sizes and
100 ms pauses flowexec produced for one solo run: the same events at the same ideal times.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import grpc

from bench import llm_flows
from bench.graphs import Shape, ten_node_flow
from bench.grpc_floor import open_stream
from bench.processes import ServerProcess, fake_provider, floor_server, flowexec_server
from bench.report import Figure
from bench.stats import percentile
from bench.stream_figures import CHANNEL_OPTIONS
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2, flow_service_pb2_grpc

LATENCY = 0.1
MIB = 1024 * 1024


@dataclass
class LoadResult:
    durations: list[float] = field(default_factory=list)
    events: int = 0
    errors: int = 0
    wall: float = 0.0
    peak_rss: int = 0
    error_samples: list[str] = field(default_factory=list)


async def _sample_rss(server: ServerProcess, peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.memory().get("VmRSS", 0))
        try:
            await asyncio.wait_for(stop.wait(), 0.02)
        except TimeoutError:
            pass


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
        result.durations.append(time.perf_counter() - start)
        result.events += count
        result.errors += 0 if ok else 1

    start = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(runs)))
    result.wall = time.perf_counter() - start
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
    shape = ten_node_flow(LATENCY)
    figures: list[Figure] = []
    for runs in (200,) if quick else (200, 1000):
        async with AsyncExitStack() as stack:
            if llm_flows.available():
                fake = await stack.enter_async_context(fake_provider(LATENCY, chunks=5))
                request, what = llm_flows.ten_llm_nodes(shape), "real text nodes → fake OpenAI-compatible server"
                server = await stack.enter_async_context(flowexec_server(env=llm_flows.server_env(fake.target)))
            else:
                request, what = shape.to_proto("diag.delay"), "diag.delay stand-ins (no LLM text nodes yet)"
                server = await stack.enter_async_context(flowexec_server())
            idle_rss = server.memory()["VmRSS"]
            client = await stack.enter_async_context(FlowClient(server.target))
            plan = await _floor_plan(server.target, request)
            await _load(server, 20, lambda: client.execute_flow(request))  # warm-up
            flow = await _load(server, runs, lambda: client.execute_flow(request))
        async with floor_server() as floor, \
                grpc.aio.insecure_channel(floor.target, options=CHANNEL_OPTIONS) as channel:
            await _load(floor, 20, _floor_events(channel, plan))
            base = await _load(floor, runs, _floor_events(channel, plan))
        base.events -= runs  # the synthetic completion events
        figures += _figures(shape, runs, flow, base, f"{what}, {LATENCY * 1e3:.0f} ms per call", idle_rss)
    return figures


def _figures(shape: Shape, runs: int, flow: LoadResult, base: LoadResult, what: str,
             idle_rss: int) -> list[Figure]:
    ideal = shape.critical_path
    over = [d - ideal for d in flow.durations]
    base_over = [d - ideal for d in base.durations]
    p50, p99 = percentile(over, 50) * 1e3, percentile(over, 99) * 1e3
    group = f"4 {runs} streams"
    errors = "; ".join(sorted(set(flow.error_samples))[:3])
    return [
        Figure(group, "total events/s", "events/s", flow.events / flow.wall, base.events / base.wall,
               note=f"{runs} concurrent 10-node flows ({what}); ideal run {ideal * 1e3:.0f} ms "
                    f"(4 calls deep); wall {flow.wall:.2f} s; {flow.events // max(runs, 1)} events per run",
               extra={"events": flow.events, "wall_s": flow.wall}),
        Figure(group, "run duration over ideal, p50", "ms", p50, percentile(base_over, 50) * 1e3),
        Figure(group, "run duration over ideal, p99", "ms", p99, percentile(base_over, 99) * 1e3,
               target="≤ 2 × p50", ok=p99 <= 2 * p50),
        Figure(group, "errors", "runs", flow.errors, base.errors, target="0", ok=flow.errors == 0,
               note=errors),
        Figure(group, "server peak RSS", "MiB", flow.peak_rss / MIB, base.peak_rss / MIB,
               target="≤ 150" if runs == 1000 else "", ok=flow.peak_rss / MIB <= 150 if runs == 1000 else None,
               note=f"idle server after start-up: {idle_rss / MIB:.0f} MiB (floor server: a bare grpc.aio process)",
               extra={"idle_rss_mib": idle_rss / MIB}),
    ]
