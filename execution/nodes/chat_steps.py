"""ChatSteps: what the model calls of one node share, text or vision — each chat prepared once
as a ChatCall against the node's provider, recorded as the ProviderCall it shows (exactly what
is, or under dry run would be, sent), then dry-run or sent through the node's gate (budgets,
waits without a slot); and the NodeOutput carrying them and the tokens they used.

`chat_call` says what those calls resolve to before any is prepared — the provider and the
model the provider will send — for the node's cache key (CachePolicy.call); the prompts and
their parameters are in the key through the type's prompt modules.
"""

from __future__ import annotations

from typing import Any

from execution.context import NodeContext
from execution.messages import ChatMessage
from execution.outputs import NO_USAGE, Image, NodeOutput, ProviderCall, TokenUsage
from execution.prompts.template import RenderedPrompt
from execution.providers.chat import ChatRequest


class ChatSteps:
    def __init__(self, ctx: NodeContext) -> None:
        self._ctx = ctx
        self.calls: list[ProviderCall] = []
        self.usage: TokenUsage = NO_USAGE

    async def chat(self, prompt: RenderedPrompt, messages: tuple[ChatMessage, ...], *, model: str,
                   stream: bool, provider_id: str | None = None) -> str:
        """One chat with the prompt's parameters, to the node's provider unless `provider_id`
        names another (a pipeline's chunks each have their own). `stream`: its text goes to the
        client as it arrives (under dry run, the prompt goes as one piece)."""
        ctx = self._ctx
        request = ChatRequest(messages=messages, model=model, temperature=prompt.temperature,
                              max_tokens=prompt.max_tokens)
        call = ctx.services.llm.call(provider_id or ctx.model.provider_id, request, purpose=prompt.purpose)
        self.calls.append(call.record)
        completion = await call.run(dry_run=ctx.dry_run, on_text=ctx.emit_text if stream else None, gate=ctx.gate)
        self.usage += completion.usage
        return completion.text

    def output(self, text: str, image: Image | None = None) -> NodeOutput:
        """The node's output. `dry_run` marks text that a live run would not have produced:
        a call was skipped here, or an upstream output was itself a dry-run stand-in."""
        ctx = self._ctx
        upstream_dry = any(o.dry_run for o in (*ctx.inputs, *ctx.adapter_inputs))
        return NodeOutput(text=text, image=image, dry_run=ctx.dry_run and (bool(self.calls) or upstream_dry),
                          provider_calls=tuple(self.calls), usage=self.usage)


def chat_call(ctx: NodeContext) -> dict[str, Any]:
    """The provider and the model its calls are sent to (the provider's default filled in);
    InvalidNodeInput / NotConfiguredError when there is none, as preparing a call would raise."""
    provider = ctx.services.llm.get(ctx.model.provider_id)
    return {"provider": provider.provider_id, "model": provider.prepare(ChatRequest((), model=ctx.model.model)).model}
