"""The gateway's settings and the Envoy bootstrap rendered from them (envoy.yaml.tmpl)."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from importlib import resources
from string import Template

# Request headers a gRPC-Web client sends; the CORS preflight must allow each of them.
DEFAULT_ALLOW_HEADERS = ("content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization")


def split_host_port(value: str) -> tuple[str, int]:
    """"host:port" or "[v6]:port" → (host, port)."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class GatewayConfig:
    upstream: str
    """flowexec's gRPC address, HOST:PORT (an IP or a DNS name, e.g. a Kubernetes service); several
    replicas' addresses separated by commas (requests are spread over them round robin)."""
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    """0 picks a free port (the launcher reports the one bound)."""
    allowed_origins: tuple[str, ...] = ()
    """Exact origins, e.g. "https://editor.example.com"; "*" allows any origin."""
    extra_allow_headers: tuple[str, ...] = ()
    """Custom request headers your client adds (the auth hook's bearer token is already allowed)."""
    stream_idle_timeout: str = "3600s"
    """Envoy duration; longer than the longest quiet stretch of a run. "0s" disables it."""
    admin_host: str = "127.0.0.1"
    admin_port: int = 0

    def origin_matchers(self) -> list[dict[str, object]]:
        if "*" in self.allowed_origins:
            return [{"safe_regex": {"regex": ".*"}}]
        return [{"exact": origin} for origin in self.allowed_origins]

    def render(self) -> str:
        """The Envoy bootstrap YAML."""
        if not self.allowed_origins:
            raise ValueError("at least one allowed origin is needed (\"*\" allows any)")
        upstreams = [split_host_port(address.strip()) for address in self.upstream.split(",") if address.strip()]
        if not upstreams:
            raise ValueError("at least one upstream address is needed")
        values = {
            "admin_host": self.admin_host,
            "admin_port": self.admin_port,
            "listen_host": self.listen_host,
            "listen_port": self.listen_port,
            "stream_idle_timeout": self.stream_idle_timeout,
            "allowed_origins": self.origin_matchers(),
            "allow_headers": ", ".join(dict.fromkeys(DEFAULT_ALLOW_HEADERS + self.extra_allow_headers)),
            # STATIC for an IP avoids a DNS resolver where there is none; names re-resolve.
            "cluster_type": "STATIC" if all(_is_ip(host) for host, _ in upstreams) else "STRICT_DNS",
            "lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": host, "port_value": port}}}}
                             for host, port in upstreams],
        }
        template = Template(resources.files(__package__).joinpath("envoy.yaml.tmpl").read_text())
        return template.substitute({key: json.dumps(value) for key, value in values.items()})
