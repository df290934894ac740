"""Input handling: chat_input, context_history, data_block — what a run is given.
`NODE_SPECS` is the explicit list execution.nodes.builtin registers."""

from typing import Any

from execution.nodes.input_handling.chat_input import CHAT_INPUT
from execution.nodes.input_handling.context_history import CONTEXT_HISTORY
from execution.nodes.input_handling.data_block import DATA_BLOCK
from execution.nodes.spec import NodeSpec

NODE_SPECS: tuple[NodeSpec[Any], ...] = (CHAT_INPUT, CONTEXT_HISTORY, DATA_BLOCK)

__all__ = ["NODE_SPECS"]
