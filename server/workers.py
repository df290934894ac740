"""`flowexec serve --workers N`: N server processes on one port, one event loop (core) each.

The supervisor reserves the port (a socket bound with SO_REUSEPORT, never listening, so that
port 0 becomes one real port for every worker), starts N `flowexec serve` workers on it with
`grpc.so_reuseport` on, and prints the one readiness line once every worker printed its own.
The kernel spreads incoming connections over the workers; every RPC works on whichever worker
a connection lands on, because the workers are replicas sharing the run store: runs are owned
through the database (leases), watches and cancels cross processes through notifications.

That sharing is PostgreSQL's (LISTEN/NOTIFY, row locks): with SQLite (or the memory store)
several processes would each believe they own every unfinished run, so `--workers` above 1
needs FLOWEXEC_DATABASE_URL naming PostgreSQL and is refused otherwise.

SIGTERM/SIGINT to the supervisor is passed to every worker, each of which drains as a single
server does (NOT_SERVING, runs get the grace period); the supervisor exits when all have. A
worker that dies otherwise is started again (its runs are taken over by the others once their
lease expires).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys

from server.settings import ServerSettings

_READY = re.compile(rb"flowexec listening on (\S+)")


def needs_postgres(settings: ServerSettings) -> str | None:
    """Why `settings` cannot run several workers (None when they can)."""
    url = settings.database_url or ""
    if not url.startswith(("postgresql", "postgres:")):
        return ("--workers above 1 needs a PostgreSQL run store (FLOWEXEC_DATABASE_URL=postgresql://…): "
                "worker processes share runs through it")
    return None


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound to host:port with SO_REUSEPORT (port 0: a free one), not listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


async def supervise(settings: ServerSettings, workers: int, command: list[str]) -> int:
    """Run `workers` copies of `command` (a `flowexec serve` without --workers) on one port."""
    reserved = reserve_port(settings.host, settings.port)
    port = reserved.getsockname()[1]
    env = {**os.environ, "FLOWEXEC_HOST": settings.host, "FLOWEXEC_PORT": str(port), "FLOWEXEC_REUSE_PORT": "true"}
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    procs: list[asyncio.subprocess.Process] = []

    async def start_one() -> asyncio.subprocess.Process:
        proc = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.PIPE)
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if _READY.match(line) is None:
            await proc.wait()
            raise SystemExit(proc.returncode or 2)
        return proc

    try:
        procs = list(await asyncio.gather(*(start_one() for _ in range(workers))))
        print(f"flowexec listening on {settings.host}:{port} ({workers} workers: "
              f"{' '.join(str(p.pid) for p in procs)})", flush=True)
        while not stopping.is_set():
            exits = {asyncio.ensure_future(p.wait()): i for i, p in enumerate(procs)}
            stop = asyncio.ensure_future(stopping.wait())
            done, _ = await asyncio.wait([stop, *exits], return_when=asyncio.FIRST_COMPLETED)
            for future in exits:
                future.cancel()
            stop.cancel()
            for future in done:
                if future in exits and not stopping.is_set():
                    i = exits[future]
                    print(f"flowexec: worker {procs[i].pid} exited ({procs[i].returncode}); starting another",
                          file=sys.stderr, flush=True)
                    procs[i] = await start_one()
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        codes = [await proc.wait() for proc in procs]
        reserved.close()
    return 0 if all(code == 0 for code in codes) else 1
