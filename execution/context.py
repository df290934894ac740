"""What an executor receives: its parsed settings, inputs, resolved model and run services,
and the gate its provider calls pass (whose budgets they spend; how the node waits for one).

Inputs arrive in two forms, both in edge order and both holding only edges that were taken:
- `inputs` / `adapter_inputs`: upstream NodeOutputs, as the editor's node types read them (to a
  node type without named inputs, an edge from a named output carries that one value, as text);
- `values` (named inputs by input name) and `edge_values` (one per edge, for nodes that combine
  their edges, like merge), for node types with named ports (execution.nodes.ports). How an
  edge fills `values`: a named input (target handle) receives the named output it carries
  (source handle) or, from a whole output, that output's main value (`primary_value`); an edge
  with no target handle fills the inputs named like the values it carries (from a node without
  named values, such as the editor's, an open input named after the source node receives its
  text). A later edge wins on a repeated name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from execution.events import NodeProgress, NodeStep, StepState
from execution.ids import NodeId, RunId
from execution.model_resolution import ResolvedModel
from execution.outputs import NodeOutput
from execution.ratelimit.gate import UNGATED, CallGate
from execution.services import Services

S = TypeVar("S")


class EdgeValue(NamedTuple):
    """What one taken edge delivered to a node with named inputs."""

    # The input it fills (its target handle, else its source handle); None: a whole output
    # without a target handle (its values spread by name).
    port: str | None
    source: NodeId
    # The named output it carries, or the whole output's main value (None when it has none).
    value: Any


@dataclass(frozen=True, slots=True)
class NodeContext(Generic[S]):
    run_id: RunId
    node_id: NodeId
    node_type: str
    # The node's settings (React Flow `data`), parsed into its type's settings record.
    settings: S
    # Outputs of upstream nodes on text edges, in edge order (missing ones left out).
    inputs: tuple[NodeOutput, ...]
    # Outputs of upstream nodes on adapter edges, in edge order.
    adapter_inputs: tuple[NodeOutput, ...]
    model: ResolvedModel
    dry_run: bool
    services: Services
    _emit_text: Callable[[NodeId, str], None]
    # Live provider calls pass it: the run owner's budgets, and the scheduler's pause for this node.
    gate: CallGate = UNGATED
    # Where emit_progress goes (the run's event stream); None: progress is dropped.
    _emit_progress: Callable[[NodeProgress], None] | None = None
    # 1 for the node's first execution in this run; node-level retries (RetryPolicy) count up.
    # With run_id and node_id it names one execution, e.g. to make a backend submission idempotent.
    attempt: int = 1
    # Where emit_step goes (the run's event stream); None: steps are not reported.
    _emit_step: Callable[[NodeStep], None] | None = None
    # Named inputs, by input name (node types with named ports; see the module docstring).
    values: Mapping[str, Any] = field(default_factory=dict)
    # One entry per taken edge that is not an adapter edge, in edge order (named-port node types).
    edge_values: tuple[EdgeValue, ...] = ()
    # The run's inputs (FlowRequest.initial_inputs).
    run_inputs: Mapping[str, Any] = field(default_factory=dict)
    _report: Callable[[NodeId, str], None] | None = None

    def emit_text(self, chunk: str) -> None:
        """Stream a chunk of this node's text output to the client as it is produced."""
        if chunk:
            self._emit_text(self.node_id, chunk)

    def emit_step(self, index: int, count: int, name: str, state: StepState, text: str = "") -> None:
        """Tell the client that step `index` of `count` (`name`) started, or completed with `text`."""
        if self._emit_step is not None:
            self._emit_step(NodeStep(self.node_id, index, count, name, state, text))

    def emit_progress(self, value: int, total: int = 0, *, label: str = "", step: str = "") -> None:
        """Tell the client how far this node has come (`value` of `total` units; 0 = unknown)."""
        if self._emit_progress is not None:
            value, total = max(int(value), 0), max(int(total), 0)
            self._emit_progress(NodeProgress(self.node_id, min(value, total) if total else value, total, label, step))

    def report(self, message: str) -> None:
        """Tell the client what the running node is doing (a status event: RUNNING with this
        message), e.g. that a reply is being asked for again. Not part of the output."""
        if message and self._report is not None:
            self._report(self.node_id, message)
