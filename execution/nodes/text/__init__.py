"""Text-processing nodes: initialPrompt, promptEnhancer, translator, storyTeller, grammarFix,
compressor. `NODE_SPECS` is the explicit list execution.nodes.builtin registers."""

from execution.nodes.text.executors import NODE_SPECS

__all__ = ["NODE_SPECS"]
