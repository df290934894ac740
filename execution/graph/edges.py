"""Edge classification: adapter edges carry personas, every other edge carries text."""

from __future__ import annotations

from execution.graph.model import Edge

ADAPTER_HANDLE_PREFIX = "adapter-"


def is_adapter_edge(edge: Edge) -> bool:
    return edge.target_handle.startswith(ADAPTER_HANDLE_PREFIX)
