"""NodeRegistry: node type → NodeSpec, for the node types one engine runs.

Built from explicit lists of specs (see execution.nodes.builtin), plus, when the operator allows
it, the node types of installed plugins (execution.nodes.plugins); nothing registers itself on
import, and a type listed twice is refused. Each type keeps where it came from (`origin`:
"builtin", or "plugin:<entry point>") for the catalogue. The engine receives a registry; the
scheduler looks specs up in it and never imports one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from execution.nodes.spec import NodeSpec

BUILTIN = "builtin"


class NodeRegistry:
    def __init__(self, specs: Iterable[NodeSpec[Any]], origins: Mapping[str, str] | None = None) -> None:
        """`origins`: node type → where it came from, for types that are not built in."""
        self._specs: dict[str, NodeSpec[Any]] = {}
        for spec in specs:
            if spec.node_type in self._specs:
                raise ValueError(f"node type '{spec.node_type}' is registered twice")
            self._specs[spec.node_type] = spec
        self._origins = {t: o for t, o in (origins or {}).items() if t in self._specs and o != BUILTIN}

    def get(self, node_type: str) -> NodeSpec[Any] | None:
        return self._specs.get(node_type)

    def origin(self, node_type: str) -> str:
        """Where a node type came from: "builtin", or "plugin:<entry point name>"."""
        return self._origins.get(node_type, BUILTIN)

    def __contains__(self, node_type: object) -> bool:
        return node_type in self._specs

    def __iter__(self) -> Iterator[NodeSpec[Any]]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def extended(self, specs: Iterable[NodeSpec[Any]], origin: str = BUILTIN) -> NodeRegistry:
        """A new registry with these specs added, from `origin` (duplicates still rejected)."""
        added = list(specs)
        origins = {**self._origins, **{spec.node_type: origin for spec in added}}
        return NodeRegistry([*self._specs.values(), *added], origins)
