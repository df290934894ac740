"""AI elements (seed 004): llm_text and llm_structured, on any LLM provider (Bedrock by
default). `NODE_SPECS` is the explicit list execution.nodes.builtin registers."""

from typing import Any

from execution.nodes.ai.llm_structured import LLM_STRUCTURED
from execution.nodes.ai.llm_text import LLM_TEXT
from execution.nodes.spec import NodeSpec

NODE_SPECS: tuple[NodeSpec[Any], ...] = (LLM_TEXT, LLM_STRUCTURED)

__all__ = ["NODE_SPECS"]
