"""Flow control: start, end, case, flow_select — where a flow begins, ends and branches.
`NODE_SPECS` is the explicit list execution.nodes.builtin registers."""

from typing import Any

from execution.nodes.flow_control.case import CASE
from execution.nodes.flow_control.flow_select import FLOW_SELECT
from execution.nodes.flow_control.start_end import END, START
from execution.nodes.spec import NodeSpec

NODE_SPECS: tuple[NodeSpec[Any], ...] = (START, END, CASE, FLOW_SELECT)

__all__ = ["NODE_SPECS"]
