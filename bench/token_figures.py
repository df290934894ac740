"""Figure 5: token latency — a chunk produced upstream to its text delta at the gRPC client.

With the LLM text nodes: bench.fake_provider stamps each SSE chunk with its write time and a
storyTeller node streams it through the provider client, the engine and gRPC; latency =
client receive time − the stamp in the delta (same host, same clock). Always, too: the same
with `diag.stream`, stamped by the engine's event `time` (emit → client), which isolates
flowexec's own part. The floor is the raw grpc.aio server streaming one stamped TextDelta per
message at the same interval.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import grpc

from bench import llm_flows
from bench.fake_provider import stamps
from bench.graphs import Shape
from bench.grpc_floor import open_stream
from bench.processes import fake_provider, floor_server, flowexec_server
from bench.report import Figure
from bench.stats import percentile
from bench.stream_figures import CHANNEL_OPTIONS
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2

INTERVAL = 0.005


async def _emit_latencies(events: AsyncIterator[events_pb2.NodeEvent]) -> list[float]:
    out = []
    async for event in events:
        if event.HasField("text_delta"):
            out.append((time.time_ns() - event.time.ToNanoseconds()) / 1e6)
    return out


async def _stamp_latencies(events: AsyncIterator[events_pb2.NodeEvent]) -> list[float]:
    out = []
    async for event in events:
        if event.HasField("text_delta"):
            now = time.time_ns()
            out += [(now - stamp) / 1e6 for stamp in stamps(event.text_delta.chunk)]
    return out


async def _floor(channel: grpc.aio.Channel, chunks: int) -> AsyncIterator[events_pb2.NodeEvent]:
    async for response in open_stream(channel, {"batches": [1] * chunks, "interval": INTERVAL, "text": True}):
        for event in response.events:
            yield event


async def token_latency(quick: bool) -> list[Figure]:
    chunks = 100 if quick else 400
    async with floor_server() as floor, \
            grpc.aio.insecure_channel(floor.target, options=CHANNEL_OPTIONS) as channel:
        await _emit_latencies(_floor(channel, 20))
        base = await _emit_latencies(_floor(channel, chunks))
    base50, base99 = percentile(base, 50), percentile(base, 99)
    figures = []
    if llm_flows.available():
        async with fake_provider(0.0, chunks, INTERVAL) as fake, \
                flowexec_server(env=llm_flows.server_env(fake.target)) as server, \
                FlowClient(server.target) as client:
            request = llm_flows.one_llm_node()
            await _stamp_latencies(client.execute_flow(request))
            flow = await _stamp_latencies(client.execute_flow(request))
        p50 = percentile(flow, 50)
        figures += [
            Figure("5 token latency", "provider SSE write → client delta, p50", "ms", p50, base50,
                   target="≤ 2", ok=p50 <= 2.0,
                   note=f"storyTeller node → bench fake OpenAI-compatible server: {len(flow)} chunks "
                        f"{INTERVAL * 1e3:.0f} ms apart; floor = raw grpc.aio emit → client"),
            Figure("5 token latency", "provider SSE write → client delta, p99", "ms", percentile(flow, 99), base99),
        ]
    shape = Shape("tokens", {"s": 0.0}, ())
    request = shape.to_proto("diag.stream", extra_data={"chunks": [f"token {i} " for i in range(chunks)],
                                                        "interval": INTERVAL})
    async with flowexec_server() as server, FlowClient(server.target) as client:
        await _emit_latencies(client.execute_flow(request))
        flow = await _emit_latencies(client.execute_flow(request))
    p50 = percentile(flow, 50)
    llm = llm_flows.available()
    figures += [
        Figure("5 token latency", "engine emit → client delta, p50", "ms", p50, base50,
               target="" if llm else "≤ 2", ok=None if llm else p50 <= 2.0,
               note=(f"diag.stream, {chunks} chunks {INTERVAL * 1e3:.0f} ms apart; stamp = the event's time "
                     "(flowexec's own share of the token path)"
                     + ("" if llm else "; LLM text nodes not available, so this stands in for the provider"))),
        Figure("5 token latency", "engine emit → client delta, p99", "ms", percentile(flow, 99), base99),
    ]
    return figures
