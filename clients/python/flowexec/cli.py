"""The client commands of `flowexec`: run a flow file (a React Flow export, or a flow document
with elements and connections: flowexec.element_flow) against a running server; runs as stored
resources (flowexec.runs_cli); the node-type catalogue and model defaults (flowexec.catalog_cli).

This package talks to a server over gRPC and imports nothing of the server or the engine, so
it works where only the client is installed (`python -m flowexec run …`). The server's own
command (`server.cli`, the `flowexec` console script) adds `serve`, `demo` and `gateway` and
includes these commands through `add_client_commands`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from flowexec.catalog_cli import add_catalog_commands
from flowexec.client import FlowClient
from flowexec.element_flow import is_element_flow, request_from_element_flow, results_of
from flowexec.errors import field_violations
from flowexec.reactflow import request_from_reactflow
from flowexec.render import EventPrinter
from flowexec.runs_cli import add_runs_commands, connect, report_error
from flowexec.v1 import flow_service_pb2, graph_pb2


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
                    printer.show_results(results_of(event.run_completed))
                    counts = event.run_completed.counts
                    exit_code = 0 if counts.error == 0 and counts.cancelled == 0 else 2
        except grpc.aio.AioRpcError as err:
            print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
            for field, description in field_violations(err):
                print(f"  {field}: {description}", file=sys.stderr)
            return 1
    return exit_code


def add_flow_options(parser: argparse.ArgumentParser) -> None:
    """The options that shape a run's request (shared by `run` and the server's `demo`)."""
    parser.add_argument("--provider", help="flow-level provider id (overrides the file's providerId)")
    parser.add_argument("--trigger", help="partial re-execution: run from this node")
    parser.add_argument("--dry-run", action="store_true", help="call no provider; show the exact prompts")
    parser.add_argument("--provider-calls", action="store_true",
                        help="live run: show each output's provider calls (the server must allow it: "
                             "FLOWEXEC_EXPOSE_PROVIDER_CALLS)")
    parser.add_argument("--cache", choices=("use", "refresh", "bypass"),
                        help="the run's use of the server's node-output cache (default: use)")
    parser.add_argument("--mode", choices=("eco", "fast"),
                        help="where task-selected models run: eco (local, Ollama) or fast (cloud, OpenRouter); "
                             "default: the server's")
    parser.add_argument("--timeout", type=float, help="deadline for the whole run, in seconds")
    parser.add_argument("--inputs", type=_json_object, default={},
                        help="the run's inputs as a JSON object (merged over a flow document's initial_inputs)")
    parser.add_argument("--time-limit", type=float,
                        help="time limit of the run on the server, in seconds (replaces a flow document's "
                             "config.max_execution_time); unlike --timeout, the run ends even with no client")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not JSON: {err}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def request_from_args(doc: dict[str, Any], args: argparse.Namespace) -> flow_service_pb2.ExecuteFlowRequest:
    """The request for a flow file — a React Flow export or a seed-004 flow document (elements and
    connections) — with the options of `add_flow_options` applied. ValueError: not a flow."""
    limit_ms = None if args.time_limit is None else round(args.time_limit * 1000)
    cache_mode = flow_service_pb2.CacheMode.Value(f"CACHE_MODE_{(args.cache or 'unspecified').upper()}")
    mode = flow_service_pb2.ExecutionMode.Value(f"EXECUTION_MODE_{(args.mode or 'unspecified').upper()}")
    if is_element_flow(doc):
        if args.trigger:
            raise ValueError("--trigger applies to React Flow exports, not to flow documents with elements")
        request = request_from_element_flow(doc, provider_id=args.provider or "", dry_run=args.dry_run,
                                            include_provider_calls=args.provider_calls, initial_inputs=args.inputs,
                                            max_execution_ms=limit_ms)
        request.options.cache_mode = cache_mode
        request.options.execution_mode = mode
        return request
    request = request_from_reactflow(doc, provider_id=args.provider or "", dry_run=args.dry_run,
                                     trigger_node_id=args.trigger or "", include_provider_calls=args.provider_calls,
                                     cache_mode=cache_mode, execution_mode=mode)
    if args.inputs:
        request.initial_inputs.update(args.inputs)
    if limit_ms is not None:
        request.options.max_execution_ms = limit_ms
    return request


def cmd_run(args: argparse.Namespace) -> int:
    try:
        request = request_from_args(json.loads(Path(args.flow).read_text()), args)
    except ValueError as err:  # not JSON, or not a flow of either kind
        print(f"error: {args.flow}: {err}", file=sys.stderr)
        return 1
    if args.detach:
        return asyncio.run(start_detached(args, request))
    return asyncio.run(run_flow(args.target, request, args.timeout, args.token))


async def start_detached(args: argparse.Namespace, request: flow_service_pb2.ExecuteFlowRequest) -> int:
    """`run --detach`: start the run on the server and print its id (watch it with `runs watch`)."""
    async with connect(args) as client:
        try:
            run = await client.start_run(request, idempotency_key=args.idempotency_key or "",
                                         timeout=args.timeout)
        except grpc.aio.AioRpcError as err:
            return report_error(err)
    print(run.run_id)
    return 0


def add_client_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the client commands to a `flowexec` parser's subcommands."""
    run = sub.add_parser("run", help="run a flow file against a server, showing statuses live")
    run.add_argument("flow", help="React Flow export (JSON with nodes and edges), or a flow document with "
                                  "elements and connections (seed 004)")
    run.add_argument("--target", default="127.0.0.1:50051", help="server address (host:port)")
    run.add_argument("--token", default=os.environ.get("FLOWEXEC_TOKEN"),
                     help="bearer token (JWT) for a server with auth on; default $FLOWEXEC_TOKEN")
    add_flow_options(run)
    run.add_argument("--detach", action="store_true",
                     help="start the run on the server and print its id; it goes on without this client")
    run.add_argument("--idempotency-key", help="with --detach: a retry with the same key returns the same run")
    run.set_defaults(func=cmd_run)
    add_runs_commands(sub)
    add_catalog_commands(sub)


def main(argv: list[str] | None = None,
         extend: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None) -> None:
    """Parse `argv` and run the chosen command; `extend` adds further subcommands (the server's)."""
    parser = argparse.ArgumentParser(prog="flowexec", description="Server-side executor of AI node graphs.")
    sub = parser.add_subparsers(dest="command", required=True)
    if extend is not None:
        extend(sub)
    add_client_commands(sub)
    args = parser.parse_args(argv)
    sys.exit(args.func(args))
