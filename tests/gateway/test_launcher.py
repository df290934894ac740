"""`flowexec gateway`: the rendered Envoy config is valid, and gateways start on port 0 side by side."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.gateway.config import GatewayConfig
from server.gateway.launcher import find_envoy

FLOWEXEC = str(Path(sys.executable).parent / "flowexec")
READY = re.compile(r"flowexec gateway listening on (\S+) \(upstream (\S+), admin (\S+)\)")


@pytest.mark.parametrize(
    "config",
    [
        GatewayConfig(upstream="127.0.0.1:50051", listen_port=0, allowed_origins=("http://localhost:3000",)),
        GatewayConfig(upstream="flowexec.internal:50051", listen_host="0.0.0.0", allowed_origins=("*",),
                      extra_allow_headers=("x-tenant",), stream_idle_timeout="0s"),
        GatewayConfig(upstream="[::1]:50051", allowed_origins=("https://a.test", "https://b.test")),
        GatewayConfig(upstream="127.0.0.1:50051, 127.0.0.1:50052,flowexec-2.internal:50051", allowed_origins=("*",)),
    ],
    ids=["ip-upstream", "dns-upstream-any-origin", "ipv6-upstream", "three-replicas"],
)
def test_rendered_config_passes_envoy_validation(config: GatewayConfig, tmp_path: Path) -> None:
    path = tmp_path / "envoy.yaml"
    path.write_text(config.render())
    result = subprocess.run([find_envoy(), "--mode", "validate", "-c", str(path), "--disable-hot-restart"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_replicas_are_endpoints_of_one_cluster() -> None:
    rendered = GatewayConfig(upstream="127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", allowed_origins=("*",)).render()
    assert all(f'"port_value": {port}' in rendered for port in (1, 2, 3))


def test_config_needs_an_origin_and_a_port() -> None:
    with pytest.raises(ValueError, match="allowed origin"):
        GatewayConfig(upstream="127.0.0.1:1").render()
    with pytest.raises(ValueError, match="HOST:PORT"):
        GatewayConfig(upstream="localhost", allowed_origins=("*",)).render()


@pytest.fixture
def gateways() -> Iterator[list[subprocess.Popen[str]]]:
    """Gateways started in their own sessions; each is stopped by its process-group id."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def start_gateway(started: list[subprocess.Popen[str]], upstream: str) -> tuple[str, str]:
    proc = subprocess.Popen([FLOWEXEC, "gateway", "--upstream", upstream, "--port", "0"],
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    started.append(proc)
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the launcher prints it once Envoy's admin /ready says LIVE
    match = READY.search(line)
    assert match, f"no readiness line, got {line!r}"
    return match.group(1), match.group(3)


def test_two_gateways_on_port_zero_side_by_side(gateways: list[subprocess.Popen[str]]) -> None:
    first, first_admin = start_gateway(gateways, "127.0.0.1:50051")
    second, second_admin = start_gateway(gateways, "127.0.0.1:50052")
    assert first != second and first_admin != second_admin
    assert not first.endswith(":0") and not second.endswith(":0")
    for proc in gateways:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, "SIGTERM is a clean stop"
