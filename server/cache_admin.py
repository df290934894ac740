"""`flowexec cache stats | clear [--node-type T]`: an operator's commands on the node-output cache.

They work on the database directly — the one FLOWEXEC_DATABASE_URL names (settings and `.env`
read as the server reads them), or `--database-url` — like any admin tool: no server needs to be
running, no RPC exists that a client could call to read or wipe everyone's entries, and the
command answers for every server sharing that database. A running server sees a clear at once
(it keeps no copy of stored entries, only those it has not written yet). With persistence off
(`memory`) the cache lives inside the server process and there is nothing to reach from outside.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a command runs: building the parser loads nothing of the engine
    from execution.cache.store import CacheStats
    from server.settings import ServerSettings


def add_cache_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cache = sub.add_parser("cache", help="inspect or clear the node-output cache in the server's database")
    commands = cache.add_subparsers(dest="cache_command", required=True)
    stats = commands.add_parser("stats", help="entries, bytes and hits, per node type")
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    clear = commands.add_parser("clear", help="delete cached outputs (all, or one node type's)")
    clear.add_argument("--node-type", metavar="T", help="only entries of this node type (e.g. promptEnhancer)")
    for command in (stats, clear):
        command.add_argument("--database-url", metavar="URL",
                             help="the database (default: FLOWEXEC_DATABASE_URL, as the server reads it)")
        command.set_defaults(func=cmd_cache)


def cmd_cache(args: argparse.Namespace) -> int:
    from execution.store.base import StoreUnavailable
    from execution.store.open import sqlite_url
    from server.settings import MEMORY_STORE, ServerSettings

    settings = ServerSettings()
    # Empty: the server's default, the SQLite file in the data dir.
    url = (args.database_url or settings.database_url).strip() or sqlite_url(settings.data_dir)
    if url == MEMORY_STORE:
        print("flowexec cache: the database is `memory`: the cache lives inside the server process "
              "(persistence off). Pass --database-url or set FLOWEXEC_DATABASE_URL.", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(args, url, settings))
    except StoreUnavailable as err:
        print(f"flowexec cache: {err}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, url: str, settings: ServerSettings) -> int:
    from execution.cache.open import open_cache_store
    from execution.store.urls import redact

    store = await open_cache_store(url)
    try:
        if args.cache_command == "clear":
            deleted = await store.clear(args.node_type)
            what = f"entries of node type '{args.node_type}'" if args.node_type else "entries"
            print(f"deleted {deleted} cached {what} from {redact(url)}")
            return 0
        stats = await store.stats(time.time())
    finally:
        await store.close()
    if args.json:
        print(json.dumps({"database": redact(url), "max_bytes": settings.cache_max_bytes, **asdict(stats)}, indent=2))
    else:
        print(render_stats(stats, redact(url), settings.cache_max_bytes))
    return 0


def render_stats(stats: CacheStats, url: str, max_bytes: int) -> str:
    lines = [f"cache in {url}",
             f"{stats.entries:,} entries, {_bytes(stats.bytes)} of {_bytes(max_bytes)} "
             f"({stats.expired:,} expired, removed at the next eviction)"]
    if stats.by_node_type:
        header = ("node type", "entries", "bytes", "hits", "last used")
        rows = [header] + [(t.node_type, f"{t.entries:,}", _bytes(t.bytes), f"{t.hits:,}",
                            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t.last_used_at)))
                           for t in stats.by_node_type]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines.append("")
        for row in rows:
            cells = [row[0].ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))]
            lines.append("  ".join(cells))
    return "\n".join(lines)


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
