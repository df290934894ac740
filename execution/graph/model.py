"""The graph a client submits, as plain typed objects (no transport types)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from execution.cache.mode import CacheMode
from execution.ids import EdgeId, FlowId, NodeId
from execution.model_tasks.mode import ExecutionMode
from execution.outputs import NodeOutput
from execution.values import json_size, plain_json_size

GROUP_NODE_TYPE = "group"
# The one user of a server without authentication.
LOCAL_OWNER = "local"


@dataclass(frozen=True, slots=True)
class Node:
    id: NodeId
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    # Size of `data` as received on the wire (then `data` is what the wire's JSON decoded to);
    # when not given, of `data` as compact JSON (UTF-8).
    data_bytes: int = -1

    def settings_size(self) -> tuple[int, bool]:
        """The size of `data`, and whether it is plain JSON (decoded from the wire, or found to
        be: execution.values.plain_json_size)."""
        if self.data_bytes >= 0:
            return self.data_bytes, True
        if not self.data:
            return 2, True  # "{}"
        size = plain_json_size(self.data)
        return (size, True) if size >= 0 else (json_size(self.data), False)  # UTF-8 bytes of compact JSON


@dataclass(frozen=True, slots=True)
class Edge:
    id: EdgeId
    source: NodeId
    target: NodeId
    source_handle: str = ""
    target_handle: str = ""


# The owner of runs when nobody is authenticated (auth off, in-process use).
LOCAL_OWNER = "local"


@dataclass(frozen=True, slots=True)
class RunOptions:
    max_concurrency: int = 0
    dry_run: bool = False
    # Live outputs carry their provider calls (the server decides whether a request may ask).
    include_provider_calls: bool = False
    # Who the run is for: whose cache entries answer it (unless the cache is shared), whose
    # provider budgets (requests and tokens per minute) its calls spend and whose cap on running
    # nodes it counts against. Never taken from the request: the run manager sets the run's
    # owner (the caller's token subject; LOCAL_OWNER without auth).
    owner: str = LOCAL_OWNER
    # The run's use of the cache (per node: execution.cache.mode.node_mode).
    cache_mode: CacheMode = CacheMode.USE
    # Where `task:NAME` models come from (eco: local; fast: cloud); None = the server's default.
    # A node's own `executionMode` setting wins.
    execution_mode: ExecutionMode | None = None
    # Time limit of the run once it executes, in milliseconds; 0: none. When it passes, the
    # unfinished nodes end CANCELLED with StatusReason.RUN_TIME_LIMIT.
    max_execution_ms: int = 0


@dataclass(frozen=True, slots=True)
class FlowRequest:
    """Everything ExecuteFlow carries, in domain form."""

    flow_id: FlowId
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    provider_id: str = ""
    trigger_node_id: NodeId | None = None
    cached_outputs: Mapping[NodeId, NodeOutput] = field(default_factory=dict)
    options: RunOptions = field(default_factory=RunOptions)
    # The run's inputs (a JSON object), read by input nodes (start, chat_input, context_history).
    initial_inputs: Mapping[str, Any] = field(default_factory=dict)
