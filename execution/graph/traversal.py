"""Breadth-first traversal upstream (ancestors) and downstream (descendants)."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence

from execution.ids import NodeId


def reachable(start: NodeId, neighbours: Mapping[NodeId, Sequence[NodeId]]) -> list[NodeId]:
    """Nodes reachable from `start` (excluded), in BFS order."""
    seen: set[NodeId] = {start}
    order: list[NodeId] = []
    queue: deque[NodeId] = deque([start])
    while queue:
        for nxt in neighbours.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order
