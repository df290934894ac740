"""`python -m bench [--quick] [--json PATH] [--check] [--only GROUP ...]`: run, print, verdict."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import (
    branch_figures,
    cache_figures,
    concurrency_figures,
    engine_figures,
    langgraph_figures,
    limiter_figures,
    runs_figures,
    sandbox_figures,
    store_figures,
    stream_figures,
    token_figures,
    worker_figures,
)
from bench.report import Figure, missed, render_table, to_json

Suite = Callable[[bool], Awaitable[list[Figure]]]

SUITES: dict[str, Suite] = {
    "engine": engine_figures.engine_overhead,
    "makespan": engine_figures.makespan,
    "stream": stream_figures.one_stream,
    "concurrency": concurrency_figures.concurrency,
    "tokens": token_figures.token_latency,
    "langgraph": langgraph_figures.peer,
    "store": store_figures.store,
    "runs": runs_figures.runs,
    "cache": cache_figures.cache,
    "limiter": limiter_figures.limiter,
    "branching": branch_figures.branching,
    "custom_code": sandbox_figures.custom_code,
    "workers": worker_figures.workers,
}


async def run(names: list[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        started = time.perf_counter()
        print(f"… {name}", file=sys.stderr, flush=True)
        figures += await SUITES[name](quick)
        print(f"  {name} done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller graphs, 200 streams only")
    parser.add_argument("--json", metavar="PATH", help="also write every figure (and its samples) as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--only", nargs="+", choices=list(SUITES), help="run only these suites")
    args = parser.parse_args(argv)
    names = args.only or list(SUITES)
    started = time.perf_counter()
    # As `flowexec serve` does: long-lived import-time objects leave the collector's view, so
    # in-process figures (engine and floor alike) are not dominated by full collections.
    gc.collect()
    gc.freeze()
    figures = asyncio.run(run(names, args.quick))
    print(render_table(figures))
    print(f"\nmedians over repeats on a shared machine; total {time.perf_counter() - started:.0f} s")
    if args.json:
        Path(args.json).write_text(to_json(figures, {"quick": args.quick, "suites": names}))
    failures = missed(figures)
    if args.check and failures:
        print(f"\ncheck: {len(failures)} target(s) missed: " + ", ".join(f"{f.group}: {f.name}" for f in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
