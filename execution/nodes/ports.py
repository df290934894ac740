"""Ports: the named connection points of a node type, and how a node joins its inputs.

A node type declares its ports on its NodeSpec — fixed (`inputs`, `outputs`) or read from its
settings (`NodeSpec.ports`: an `end` node's inputs are its `input_schema`, a `case` node's
outputs are its branches). Two kinds of port exist side by side:

- The editor's handles (TEXT, IMAGE, PERSONA): an edge carries its source's whole NodeOutput; a
  target handle starting with `adapter-` carries a persona, any other handle text. Source
  handles are informational and neither handle is checked.
- Named value ports (VALUE): an edge's `source_handle` picks one named output of its source (a
  JSON value of NodeOutput.values), its `target_handle` names the input it fills. A node type
  with named ports has its handles checked before the run: a handle that names no port of the
  node is INVALID_ARGUMENT naming the edge, the node and the ports it has. `open` port sets
  accept any name (a `start` node without an output schema, a merge's inputs).

A BRANCH output is one route of a routing node (case, flow_select): the node's output holds
only the route it took, and an edge from any other route is *not taken*. How a node treats
inputs that were not taken is its JoinPolicy (policy as data, read by the scheduler):

- SETTLED (every node type but merge): runs once every input has settled; SKIPPED
  (BRANCH_NOT_TAKEN) when it has inputs not taken and none taken, i.e. when it is reached
  only through branches not taken.
- ALL: runs once every input has settled, and only when none was not taken.
- ANY: runs as soon as one input is taken, once; inputs settling later are not seen.
- FIRST_NON_NULL: runs as soon as one input is taken with a value that is not null, once; when
  every input has settled without one, it runs if any input was taken (all null).
An upstream failure makes a node SKIPPED (UPSTREAM_FAILED) unless its policy is ANY or
FIRST_NON_NULL and another input delivered.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from execution.graph.edges import ADAPTER_HANDLE_PREFIX
from execution.quoting import shorten

# Port names a message lists before it gives the count.
MAX_NAMES = 12


class PortKind(enum.Enum):
    TEXT = "text"
    IMAGE = "image"
    PERSONA = "persona"
    # A named JSON value (NodeOutput.values; execution.values).
    VALUE = "value"


class Port(NamedTuple):
    """A connection point, named by its handle. For the editor's kinds the handle is React
    Flow's; for VALUE ports it is the value's name on both sides of an edge. (A named tuple:
    ports read from settings are built before every run, and tuples build fastest.)"""

    handle: str
    kind: PortKind
    # BRANCH output: a route of a routing node; edges from a route not taken are not taken.
    branch: bool = False
    # VALUE input: the node fails (INVALID_INPUT, naming it) when no edge delivers a value.
    required: bool = False
    description: str = ""


TEXT_IN = Port("text", PortKind.TEXT)
PERSONA_IN = Port(f"{ADAPTER_HANDLE_PREFIX}persona", PortKind.PERSONA)
TEXT_OUT = Port("text", PortKind.TEXT)
IMAGE_OUT = Port("image", PortKind.IMAGE)
PERSONA_OUT = Port("persona", PortKind.PERSONA)


def value_port(name: str, *, required: bool = False, branch: bool = False, description: str = "") -> Port:
    return Port(name, PortKind.VALUE, branch=branch, required=required, description=description)


class PortSet:
    """One side of a node's ports. `open`: names beyond `ports` are accepted too. Immutable."""

    __slots__ = ("_by_name", "checked", "named", "only", "open", "ports", "required")

    def __init__(self, ports: tuple[Port, ...] = (), open: bool = False) -> None:
        self.ports = ports
        self.open = open
        # The node reads (inputs) or offers (outputs) named values on this side.
        self.named = open or any(p.kind is PortKind.VALUE for p in ports)
        # Handles on this side must name one of `ports`.
        self.checked = self.named and not open
        self._by_name = {p.handle: p for p in reversed(ports)}  # the first of a repeated name wins
        # Names of the VALUE inputs a node cannot run without.
        self.required = tuple(p.handle for p in ports if p.required and p.kind is PortKind.VALUE)
        values = [p.handle for p in ports if p.kind is PortKind.VALUE]
        # The name of the one VALUE port, when there is exactly one.
        self.only = values[0] if len(values) == 1 else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PortSet) and (self.ports, self.open) == (other.ports, other.open)

    def __hash__(self) -> int:
        return hash((self.ports, self.open))

    def __repr__(self) -> str:
        return f"PortSet({self.ports!r}, open={self.open})"

    def get(self, name: str) -> Port | None:
        return self._by_name.get(name)

    def accepts(self, name: str) -> bool:
        return self.open or name in self._by_name

    def names(self) -> str:
        """The named ports, for a message: escaped, the first MAX_NAMES of them."""
        names = [shorten(p.handle) for p in self.ports if p.kind is PortKind.VALUE]
        listed = ", ".join(names[:MAX_NAMES]) + (f", … ({len(names)} in all)" if len(names) > MAX_NAMES else "")
        listed = listed or "none"
        return f"{listed} (and any other name)" if self.open else listed


@dataclass(frozen=True, slots=True)
class NodePorts:
    inputs: PortSet
    outputs: PortSet


class JoinPolicy(enum.Enum):
    SETTLED = "settled"
    ALL = "all"
    ANY = "any"
    FIRST_NON_NULL = "first_non_null"

    @property
    def fires_early(self) -> bool:
        """The node may run before every input has settled."""
        return self is JoinPolicy.ANY or self is JoinPolicy.FIRST_NON_NULL
