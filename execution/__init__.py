"""flowexec's execution engine: validation, planning, scheduling and the node executors.

Knows nothing of gRPC: it takes a FlowRequest of plain typed objects and emits domain
events (execution.events). The server translates both ends.
"""

from execution.engine import Engine, PreparedRun
from execution.errors import GraphValidationError, NodeError, Violation
from execution.events import Event, NodeStatus, StatusReason
from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.outputs import Image, NodeOutput
from execution.run_limits import Limits

__all__ = [
    "Edge", "Engine", "Event", "FlowRequest", "GraphValidationError", "Image", "Limits", "Node",
    "NodeError", "NodeOutput", "NodeStatus", "PreparedRun", "RunOptions", "StatusReason", "Violation",
]
