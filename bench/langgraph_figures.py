"""Figure 6 (optional): the same chain and diamond in LangGraph, the peer, beside flowexec.

Skipped when `langgraph` is not installed (`pip install -e '.[bench]'`). Each LangGraph node
does exactly the work of a bench.work node; a join node waits for all its inputs, as in flowexec.
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any, TypedDict

from bench.engine_figures import NODE_TYPE, bench_engine
from bench.graphs import Shape, chain, uneven_diamond
from bench.report import Figure
from bench.timing import timed_pair


class _State(TypedDict):
    log: Annotated[list[str], operator.add]


def available() -> bool:
    try:
        import langgraph.graph  # noqa: F401
    except ImportError:
        return False
    return True


def _compile(shape: Shape) -> Any:
    from langgraph.graph import START, StateGraph

    graph = StateGraph(_State)
    for name, seconds in shape.seconds.items():
        async def node(state: _State, seconds: float = seconds) -> dict[str, Any]:
            if seconds:
                await asyncio.sleep(seconds)
            return {}
        graph.add_node(name, node)
    for name, ups in shape.upstream.items():
        if not ups:
            graph.add_edge(START, name)
        else:
            graph.add_edge(ups if len(ups) > 1 else ups[0], name)
    return graph.compile()


async def peer(quick: bool) -> list[Figure]:
    if not available():
        return [Figure("6 LangGraph peer", "skipped", "", float("nan"),
                       note="langgraph is not installed: pip install -e '.[bench]' to compare")]
    from importlib.metadata import version

    engine = bench_engine()
    figures = []
    n = 200
    for shape, repeats in ((chain(n), 10 if quick else 30), (uneven_diamond(), 3 if quick else 5)):
        app = _compile(shape)
        request = shape.to_domain(NODE_TYPE)
        config = {"recursion_limit": 10 * len(shape.seconds)}
        flow, lang = await timed_pair(lambda r=request: engine.run(r),
                                      lambda a=app, c=config: a.ainvoke({"log": []}, c), repeats)
        if shape.critical_path == 0:
            figures.append(Figure("6 LangGraph peer", f"chain of {n} no-op nodes, per node", "µs/node",
                                  flow / n * 1e6, lang / n * 1e6,
                                  note=f"floor column = LangGraph {version('langgraph')} "
                                       "(ratio < 1: flowexec is faster)"))
        else:
            cp = shape.critical_path
            figures.append(Figure("6 LangGraph peer", "uneven diamond / critical path", "x", flow / cp, lang / cp,
                                  note="floor column = LangGraph (superstep barrier: A1‖B1 then A2‖B2)"))
    return figures
