"""`flowexec runs list | get | watch | cancel | resume`: runs as stored resources on a server."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable

import grpc

from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.render import EventPrinter
from flowexec.run_render import run_details, run_line, state_value
from flowexec.v1 import events_pb2, runs_pb2


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", default="127.0.0.1:50051", help="server address (host:port)")
    parser.add_argument("--token", default=os.environ.get("FLOWEXEC_TOKEN"),
                        help="bearer token (JWT) for a server with auth on; default $FLOWEXEC_TOKEN")


def connect(args: argparse.Namespace) -> FlowClient:
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    return FlowClient(args.target, metadata=metadata)


def report_error(err: grpc.aio.AioRpcError) -> int:
    print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
    for field, description in field_violations(err):
        print(f"  {field}: {description}", file=sys.stderr)
    return 1


async def show_events(events: object, printer: EventPrinter) -> int:
    """Print a run's events; exit status 0 when it completed with no error or cancel, 2 otherwise."""
    exit_code = 2
    async for event in events:  # type: ignore[attr-defined]
        assert isinstance(event, events_pb2.NodeEvent)
        printer.show(event)
        if event.HasField("run_completed"):
            counts = event.run_completed.counts
            exit_code = 0 if counts.error == 0 and counts.cancelled == 0 else 2
    return exit_code


def call_server(args: argparse.Namespace, body: Callable[[FlowClient], Awaitable[int]]) -> int:
    async def run() -> int:
        async with connect(args) as client:
            try:
                return await body(client)
            except grpc.aio.AioRpcError as err:
                return report_error(err)
    return asyncio.run(run())


def cmd_list(args: argparse.Namespace) -> int:
    try:
        states = [state_value(s) for s in args.state or ()]
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    async def body(client: FlowClient) -> int:
        page = await client.list_runs(page_size=args.page_size, page_token=args.page_token or "",
                                      flow_id=args.flow_id or "", states=states)
        for run in page.runs:
            print(run_line(run))
        if page.next_page_token:
            print(f"(more: --page-token {page.next_page_token})")
        return 0
    return call_server(args, body)


def cmd_get(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        run = await client.get_run(args.run_id, include_images=args.images)
        print("\n".join(run_details(run)))
        return 0
    return call_server(args, body)


def cmd_watch(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        events = (client.follow_run(args.run_id, after_seq=args.after) if args.follow
                  else client.watch_run(args.run_id, after_seq=args.after))
        return await show_events(events, EventPrinter())
    return call_server(args, body)


def cmd_cancel(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        print(run_line(await client.cancel_run(args.run_id)))
        return 0
    return call_server(args, body)


def cmd_resume(args: argparse.Namespace) -> int:
    async def body(client: FlowClient) -> int:
        run: runs_pb2.Run = await client.resume_run(args.run_id)
        if not args.watch:
            print(run.run_id)
            return 0
        return await show_events(client.watch_run(run.run_id), EventPrinter())
    return call_server(args, body)


def add_runs_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`flowexec runs …`."""
    runs = sub.add_parser("runs", help="stored runs on a server: list, get, watch, cancel, resume")
    verbs = runs.add_subparsers(dest="verb", required=True)

    listing = verbs.add_parser("list", help="your runs, newest first")
    listing.add_argument("--flow-id", help="only runs of this flow")
    listing.add_argument("--state", action="append", help="only runs in this state (repeatable): queued, "
                         "running, succeeded, failed, cancelled, interrupted")
    listing.add_argument("--page-size", type=int, default=0, help="runs per page (server default 50)")
    listing.add_argument("--page-token", help="the token a previous page printed")
    listing.set_defaults(func=cmd_list)

    get = verbs.add_parser("get", help="a run: state, each node's last status and output")
    get.add_argument("run_id")
    get.add_argument("--images", action="store_true", help="fetch image bytes too")
    get.set_defaults(func=cmd_get)

    watch = verbs.add_parser("watch", help="stream a run's events, stored then live")
    watch.add_argument("run_id")
    watch.add_argument("--after", type=int, default=0, metavar="SEQ", help="only events after this seq")
    watch.add_argument("--follow", action="store_true",
                       help="through a replica's death: watch again after a broken stream, and follow the run "
                            "that resumes this one after a takeover (FlowClient.follow_run)")
    watch.set_defaults(func=cmd_watch)

    cancel = verbs.add_parser("cancel", help="cancel a run (idempotent)")
    cancel.add_argument("run_id")
    cancel.set_defaults(func=cmd_cancel)

    resume = verbs.add_parser("resume", help="a new run reusing a run's stored outputs; prints its id")
    resume.add_argument("run_id")
    resume.add_argument("--watch", action="store_true", help="stream the new run instead of printing its id")
    resume.set_defaults(func=cmd_resume)

    for parser in (listing, get, watch, cancel, resume):
        add_connection_options(parser)
