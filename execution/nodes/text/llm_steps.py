"""LlmSteps: the LLM calls one text node makes, in order — live or dry.

Each step renders to one user message, resolved against the node's provider/model and
prepared by that provider, so `ProviderCall` records exactly what is (or would be) sent.

Streaming: only the step whose result becomes the node's output (`final=True`) streams its
tokens to the client; an intermediate step (enhance before inject-persona) runs silently, so
the node's output text always equals the concatenation of its text deltas.

Dry run: nothing is sent; a step's result is its own prompt text, so the next step and the
downstream nodes run on it, and a final step emits that text as its one delta.
"""

from __future__ import annotations

from execution.messages import ChatMessage
from execution.nodes.chat_steps import ChatSteps
from execution.prompts.template import RenderedPrompt


class LlmSteps(ChatSteps):
    async def run(self, prompt: RenderedPrompt, *, final: bool) -> str:
        return await self.chat(prompt, (ChatMessage("user", prompt.text),), model=self._ctx.model.model,
                               stream=final)
