"""Utility elements: merge, selector, random — values in, values out.
`NODE_SPECS` is the explicit list execution.nodes.builtin registers."""

from typing import Any

from execution.nodes.spec import NodeSpec
from execution.nodes.utility.merge import MERGE
from execution.nodes.utility.random_value import RANDOM
from execution.nodes.utility.selector import SELECTOR

NODE_SPECS: tuple[NodeSpec[Any], ...] = (MERGE, SELECTOR, RANDOM)

__all__ = ["NODE_SPECS"]
