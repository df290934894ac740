"""Figure 3: one gRPC stream end to end, flowexec server in its own process vs raw grpc.aio.

The flowexec side is the real client (FlowClient.execute_flow) against `flowexec serve`; the
floor streams the same number of events in the same number of messages (the batch sizes
flowexec chose, recorded from a first run) from bench.grpc_floor.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import grpc

from bench.graphs import independent
from bench.grpc_floor import open_stream
from bench.processes import floor_server, flowexec_server
from bench.report import Figure
from bench.stats import median
from flowexec.client import FlowClient
from flowexec.v1 import flow_service_pb2, flow_service_pb2_grpc

MAX_MESSAGE = 64 * 1024 * 1024
CHANNEL_OPTIONS = [("grpc.max_receive_message_length", MAX_MESSAGE), ("grpc.max_send_message_length", MAX_MESSAGE)]


async def _floor_events(channel: grpc.aio.Channel, request: dict[str, Any]) -> AsyncIterator[object]:
    async for response in open_stream(channel, request):
        for event in response.events:
            yield event


async def _drain(events: AsyncIterator[object]) -> tuple[int, float, float]:
    """(events, seconds to the first event, seconds to the end of the stream)."""
    start = time.perf_counter()
    first = 0.0
    count = 0
    async for _ in events:
        if count == 0:
            first = time.perf_counter() - start
        count += 1
    return count, first, time.perf_counter() - start


async def batch_sizes(channel: grpc.aio.Channel, request: flow_service_pb2.ExecuteFlowRequest) -> list[int]:
    stub = flow_service_pb2_grpc.FlowServiceStub(channel)
    return [len(response.events) async for response in stub.ExecuteFlow(request)]


async def one_stream(quick: bool) -> list[Figure]:
    n = 2000 if quick else 5000
    repeats = 3 if quick else 5
    big = independent(n).to_proto("diag.delay", max_concurrency=256)
    tiny = independent(1).to_proto("diag.delay")
    server = flowexec_server(max_nodes=n, max_edges=n, log_level="WARNING")
    async with server, floor_server() as floor, FlowClient(server.target) as client, \
            grpc.aio.insecure_channel(floor.target, options=CHANNEL_OPTIONS) as floor_channel, \
            grpc.aio.insecure_channel(server.target, options=CHANNEL_OPTIONS) as raw_channel:
        sizes = await batch_sizes(raw_channel, big)
        tiny_sizes = await batch_sizes(raw_channel, tiny)
        big_floor = {"batches": sizes}
        flow_runs, floor_runs = [], []
        for _ in range(repeats):
            flow_runs.append(await _drain(client.execute_flow(big)))
            floor_runs.append(await _drain(_floor_events(floor_channel, big_floor)))
        first, floor_first = [], []
        for _ in range(10 if quick else 40):
            first.append((await _drain(client.execute_flow(tiny)))[1])
            floor_first.append((await _drain(_floor_events(floor_channel, {"batches": tiny_sizes})))[1])

    events = flow_runs[0][0]
    rate = median([c / total for c, _, total in flow_runs])
    floor_rate = median([c / total for c, _, total in floor_runs])
    big_first = median([f for _, f, _ in flow_runs]) * 1e3
    first_ms, floor_first_ms = median(first) * 1e3, median(floor_first) * 1e3
    return [
        Figure("3 one stream", f"{n}-node flow, every status event", "events/s", rate, floor_rate,
               target="≥ 50,000", ok=rate >= 50_000,
               note=f"{events} events in {len(sizes)} messages (median {median(sizes):.0f}, max {max(sizes)} "
                    f"events/message); call start → last event; floor streams the same message sizes",
               extra={"events": events, "messages": len(sizes), "first_event_ms_large_flow": big_first,
                      "seconds": median([t for _, _, t in flow_runs])}),
        Figure("3 one stream", "first-event latency, 1-node flow", "ms", first_ms, floor_first_ms,
               target="≤ floor + 1 ms", ok=first_ms <= floor_first_ms + 1.0,
               note=f"call start → first event, warm channel; {len(tiny_sizes)} messages; large flow's first "
                    f"event after {big_first:.1f} ms (validation of {n} nodes included)"),
    ]
