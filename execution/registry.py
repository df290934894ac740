"""The executor registry: node type → async executor plus metadata.

Built from explicit lists that node-family modules export (see execution.nodes.catalog);
nothing registers itself on import. The scheduler receives a registry; it never imports one.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from execution.outputs import NodeOutput

if TYPE_CHECKING:
    from execution.context import NodeContext

Executor = Callable[["NodeContext"], Awaitable[NodeOutput]]


class NodeCategory(enum.Enum):
    DATA_SOURCE = "data_source"
    TEXT = "text"
    IMAGE = "image"
    OUTPUT = "output"
    DIAGNOSTIC = "diagnostic"


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    node_type: str
    run: Executor
    category: NodeCategory
    description: str
    calls_provider: bool = False
    # Bumped when the executor's behaviour changes (part of future cache keys).
    version: int = 1


class ExecutorRegistry:
    def __init__(self, specs: Iterable[ExecutorSpec]) -> None:
        self._specs: dict[str, ExecutorSpec] = {}
        for spec in specs:
            if spec.node_type in self._specs:
                raise ValueError(f"node type '{spec.node_type}' is registered twice")
            self._specs[spec.node_type] = spec

    def get(self, node_type: str) -> ExecutorSpec | None:
        return self._specs.get(node_type)

    def __contains__(self, node_type: object) -> bool:
        return node_type in self._specs

    def __iter__(self) -> Iterator[ExecutorSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def extended(self, specs: Iterable[ExecutorSpec]) -> ExecutorRegistry:
        """A new registry with these specs added (duplicates still rejected)."""
        return ExecutorRegistry([*self._specs.values(), *specs])
