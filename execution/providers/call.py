"""ChatCall: one chat completion, prepared once — the request exactly as the provider will send
it, the ProviderCall record of that request, and the two ways to run it.

Dry: nothing is sent; the result is the prompt itself (every message's text, in order), passed
to the sink as one piece. Live: the request streams under the provider's call policy and
concurrency slot (execution.providers.streaming), its text passed to the sink as it arrives.
Either way the record shows what was, or would have been, sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from execution.outputs import ProviderCall
from execution.providers.chat import ChatRequest, TextProvider
from execution.providers.resilience import CallPolicy
from execution.providers.streaming import TextSink, stream_completion


@dataclass(frozen=True, slots=True)
class ChatCall:
    provider: TextProvider
    # As prepared by the provider: what goes on the wire.
    request: ChatRequest
    # What the call is for ("enhance", "describe", …), as the record shows it.
    purpose: str
    policy: CallPolicy
    slot: asyncio.Semaphore

    @property
    def record(self) -> ProviderCall:
        request = self.request
        return ProviderCall(
            provider_id=self.provider.provider_id,
            model=request.model,
            purpose=self.purpose,
            messages=request.messages,
            temperature=request.temperature if request.temperature is not None else 0.0,
            max_tokens=request.max_tokens,
        )

    async def run(self, *, dry_run: bool, on_text: TextSink | None = None) -> str:
        """Dry-run or send, as the run asks; the whole text either way."""
        if dry_run:
            text = "\n\n".join(m.content for m in self.request.messages)
            if on_text is not None:
                on_text(text)
            return text
        return await self.send(on_text)

    async def send(self, on_text: TextSink | None = None) -> str:
        return await stream_completion(self.provider, self.request, policy=self.policy, slot=self.slot,
                                       on_text=on_text)
