"""What a node's incoming edges deliver: whether each was taken, the join decision, the inputs.

Pure functions over a run's state (outputs so far, the nodes that failed, the nodes skipped for a
branch not taken); the scheduler calls them for nodes whose wiring needs them
(execution.wiring.NodeWiring.named / .gated). Join policies: execution.nodes.ports.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Set
from typing import Any, NamedTuple

from execution.context import EdgeValue
from execution.ids import NodeId
from execution.nodes.inputs import input_text
from execution.nodes.ports import JoinPolicy
from execution.outputs import NodeOutput
from execution.values import as_text
from execution.wiring import InputEdge, NodeWiring


class EdgeState(enum.Enum):
    TAKEN = "taken"
    NOT_TAKEN = "not_taken"
    FAILED = "failed"
    # Its source has no output and did not fail: not run (no executor), or outside a partial run.
    ABSENT = "absent"


class Gate(enum.Enum):
    RUN = "run"
    UPSTREAM_FAILED = "upstream_failed"
    BRANCH_NOT_TAKEN = "branch_not_taken"


def edge_state(edge: InputEdge, outputs: Mapping[NodeId, NodeOutput], failed: Set[NodeId],
               not_taken: Set[NodeId]) -> EdgeState:
    if edge.source in failed:
        return EdgeState.FAILED
    if edge.source in not_taken:
        return EdgeState.NOT_TAKEN
    output = outputs.get(edge.source)
    if output is None:
        return EdgeState.ABSENT
    if edge.branch and edge.source_port not in output.values:
        return EdgeState.NOT_TAKEN
    return EdgeState.TAKEN


def decide(wiring: NodeWiring, upstream: Iterable[NodeId], outputs: Mapping[NodeId, NodeOutput],
           failed: Set[NodeId], not_taken: Set[NodeId]) -> Gate:
    """Whether a node whose inputs have all settled runs (join policies: execution.nodes.ports).
    `upstream`: the node's upstream nodes (what a plain node's edges come from)."""
    taken = lost = broken = False
    # edge_state, inlined: this runs for every node after a failure or a skip.
    if not wiring.named and not wiring.gated:  # plain: every edge carries its source's whole output
        for source in upstream:
            if source in failed:
                broken = True
            elif source in not_taken:
                lost = True
            elif source in outputs:
                taken = True
    else:
        for edge in wiring.edges:
            source = edge.source
            if source in failed:
                broken = True
            elif source in not_taken:
                lost = True
            elif (output := outputs.get(source)) is not None:
                if edge.branch and edge.source_port not in output.values:
                    lost = True
                else:
                    taken = True
    join = wiring.join
    if taken and join.fires_early:
        return Gate.RUN
    if broken:
        return Gate.UPSTREAM_FAILED
    if lost and (not taken or join is JoinPolicy.ALL):
        return Gate.BRANCH_NOT_TAKEN
    return Gate.RUN


def delivers(wiring: NodeWiring, source: NodeId, outputs: Mapping[NodeId, NodeOutput], failed: Set[NodeId],
             not_taken: Set[NodeId]) -> bool:
    """Whether `source`, just settled, fires an early-joining node (ANY, FIRST_NON_NULL)."""
    output = outputs.get(source)
    if output is None:
        return False
    for edge in wiring.edges:
        if edge.source != source or edge.adapter or edge_state(edge, outputs, failed, not_taken) is not EdgeState.TAKEN:
            continue
        if wiring.join is JoinPolicy.ANY or carried_value(edge, output) is not None:
            return True
    return False


def primary_value(output: NodeOutput) -> Any:
    """An output's main value: its one named value, all of them as an object when it has several,
    else its text (None when it has none)."""
    values = output.values
    if len(values) == 1:
        return next(iter(values.values()))
    if values:
        return dict(values)
    return input_text(output) or None


def carried_value(edge: InputEdge, output: NodeOutput) -> Any:
    if edge.source_port is not None:
        return output.values.get(edge.source_port)
    return primary_value(output)


def port_view(output: NodeOutput, port: str) -> NodeOutput:
    """One named output of `output` as a node without named inputs reads it: as text."""
    value = output.values.get(port)
    return NodeOutput(text=as_text(value), values={port: value}, cached=output.cached, dry_run=output.dry_run)


class Gathered(NamedTuple):
    inputs: tuple[NodeOutput, ...]
    adapter_inputs: tuple[NodeOutput, ...]
    values: dict[str, Any]
    edge_values: tuple[EdgeValue, ...]
    # The first required input without a value, if any.
    missing: str | None


def gather(wiring: NodeWiring, outputs: Mapping[NodeId, NodeOutput], failed: Set[NodeId],
           not_taken: Set[NodeId]) -> Gathered:
    """A node's inputs from its taken edges, in edge order (NodeContext's docstring says how)."""
    inputs: list[NodeOutput] = []
    adapters: list[NodeOutput] = []
    values: dict[str, Any] = {}
    edge_values: list[EdgeValue] = []
    ports = wiring.inputs
    as_text_inputs = not ports.named  # an editor node type reads a named output as text
    for edge in wiring.edges:
        source = edge.source
        if source in failed or source in not_taken:
            continue
        output = outputs.get(source)
        if output is None:
            continue
        port = edge.source_port
        if port is not None and edge.branch and port not in output.values:
            continue  # a route not taken
        if edge.adapter:
            adapters.append(output)
            continue
        inputs.append(port_view(output, port) if port is not None and as_text_inputs else output)
        value = output.values.get(port) if port is not None else primary_value(output)
        name = edge.target_port or port
        edge_values.append(EdgeValue(name, source, value))
        if name is not None:
            values[name] = value
        elif output.values:
            for key, item in output.values.items():
                if not ports.checked or ports.accepts(key):
                    values[key] = item
        elif ports.open and value is not None:  # an editor node's text, into open inputs: by its id
            values[source] = value
    missing = None
    for name in ports.required:
        if values.get(name) is None:
            missing = name
            break
    return Gathered(tuple(inputs), tuple(adapters), values, tuple(edge_values), missing)
