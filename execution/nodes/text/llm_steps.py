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

from execution.context import NodeContext
from execution.messages import ChatMessage
from execution.outputs import NodeOutput, ProviderCall
from execution.prompts.template import RenderedPrompt
from execution.providers.chat import ChatRequest


class LlmSteps:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx
        self.calls: list[ProviderCall] = []

    async def run(self, prompt: RenderedPrompt, *, final: bool) -> str:
        ctx = self._ctx
        provider_id = ctx.model.provider_id
        llm = ctx.services.llm
        request = llm.get(provider_id).prepare(ChatRequest(
            messages=(ChatMessage("user", prompt.text),),
            model=ctx.model.model,
            temperature=prompt.temperature,
            max_tokens=prompt.max_tokens,
        ))
        self.calls.append(ProviderCall(
            provider_id=provider_id,
            model=request.model,
            purpose=prompt.purpose,
            messages=request.messages,
            temperature=request.temperature if request.temperature is not None else 0.0,
            max_tokens=request.max_tokens,
        ))
        if ctx.dry_run:
            if final:
                ctx.emit_text(prompt.text)
            return prompt.text
        return await llm.complete(provider_id, request, on_text=ctx.emit_text if final else None)

    def output(self, text: str) -> NodeOutput:
        """The node's output. `dry_run` marks text that a live run would not have produced:
        a call was skipped here, or an upstream output was itself a dry-run stand-in."""
        ctx = self._ctx
        upstream_dry = any(o.dry_run for o in (*ctx.inputs, *ctx.adapter_inputs))
        return NodeOutput(text=text, dry_run=ctx.dry_run and (bool(self.calls) or upstream_dry),
                          provider_calls=tuple(self.calls))
