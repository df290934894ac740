"""NodeRegistry: node type → NodeSpec, for the node types one engine runs.

Built from explicit lists of specs (see execution.nodes.builtin); nothing registers itself on
import, and a type listed twice is refused. The engine receives a registry; the scheduler
looks specs up in it and never imports one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from execution.nodes.spec import NodeSpec


class NodeRegistry:
    def __init__(self, specs: Iterable[NodeSpec[Any]]) -> None:
        self._specs: dict[str, NodeSpec[Any]] = {}
        for spec in specs:
            if spec.node_type in self._specs:
                raise ValueError(f"node type '{spec.node_type}' is registered twice")
            self._specs[spec.node_type] = spec

    def get(self, node_type: str) -> NodeSpec[Any] | None:
        return self._specs.get(node_type)

    def __contains__(self, node_type: object) -> bool:
        return node_type in self._specs

    def __iter__(self) -> Iterator[NodeSpec[Any]]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def extended(self, specs: Iterable[NodeSpec[Any]]) -> NodeRegistry:
        """A new registry with these specs added (duplicates still rejected)."""
        return NodeRegistry([*self._specs.values(), *specs])
