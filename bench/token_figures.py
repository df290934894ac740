"""Figure 5: token latency — a chunk produced upstream to its text delta at the gRPC client.

Until the LLM text nodes exist this uses `diag.stream` (the node emitting a delta stands in
for the provider writing an SSE chunk): latency = client receive time − the event's own
`time` stamp, set when the engine emitted it (same host, same wall clock). The floor is the
raw grpc.aio server streaming one stamped TextDelta per message at the same interval.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import grpc

from bench.graphs import Shape
from bench.grpc_floor import open_stream
from bench.processes import floor_server, flowexec_server
from bench.report import Figure
from bench.stats import percentile
from bench.stream_figures import CHANNEL_OPTIONS
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2

INTERVAL = 0.005


async def _latencies(events: AsyncIterator[events_pb2.NodeEvent]) -> list[float]:
    out = []
    async for event in events:
        if event.HasField("text_delta"):
            out.append((time.time_ns() - event.time.ToNanoseconds()) / 1e6)
    return out


async def _floor(channel: grpc.aio.Channel, chunks: int) -> AsyncIterator[events_pb2.NodeEvent]:
    async for response in open_stream(channel, {"batches": [1] * chunks, "interval": INTERVAL, "text": True}):
        for event in response.events:
            yield event


async def token_latency(quick: bool) -> list[Figure]:
    chunks = 100 if quick else 400
    shape = Shape("tokens", {"s": 0.0}, ())
    request = shape.to_proto("diag.stream", extra_data={"chunks": [f"token {i} " for i in range(chunks)],
                                                        "interval": INTERVAL})
    server = flowexec_server()
    async with server, floor_server() as floor, FlowClient(server.target) as client, \
            grpc.aio.insecure_channel(floor.target, options=CHANNEL_OPTIONS) as channel:
        await _latencies(client.execute_flow(request))
        await _latencies(_floor(channel, 20))
        flow = await _latencies(client.execute_flow(request))
        base = await _latencies(_floor(channel, chunks))
    p50 = percentile(flow, 50)
    return [
        Figure("5 token latency", "chunk → client delta, p50", "ms", p50, percentile(base, 50),
               target="≤ 2", ok=p50 <= 2.0,
               note=f"diag.stream stand-in (LLM text nodes not available): {chunks} chunks "
                    f"{INTERVAL * 1e3:.0f} ms apart; stamp = engine emit time"),
        Figure("5 token latency", "chunk → client delta, p99", "ms", percentile(flow, 99), percentile(base, 99)),
    ]
