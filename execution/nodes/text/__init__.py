"""Text-processing nodes (seed §5.2): initialPrompt, promptEnhancer, translator, storyTeller,
grammarFix, compressor. `EXECUTORS` is the explicit list the catalog registers."""

from execution.nodes.text.executors import EXECUTORS

__all__ = ["EXECUTORS"]
