"""ChatCall: one chat completion, prepared once — the request exactly as the provider will send
it, the ProviderCall record of that request, and the two ways to run it.

Dry: nothing is sent; the result is the prompt itself (every message's text, in order), passed
to the sink as one piece. Live: the call first passes its node's gate (execution.ratelimit.gate:
the user's budget for the provider, charged an estimate of its tokens), then streams under the
provider's call policy and concurrency slot (execution.providers.streaming), its text passed to
the sink as it arrives; the budget is then corrected to the tokens the provider reported.
Either way the record shows what was, or would have been, sent.

Rate limits never make a call wait while it holds a slot. Waiting for the user's budget
happens before the provider slot is taken; a 429 leaves the slot at once, and the call waits
for the vendor's Retry-After (else the back-off) through the gate's pause — the node gives its
run slot back meanwhile — then asks the budget again and re-sends. A 429 counts as an attempt:
after the policy's max_attempts, or with a Retry-After beyond max_retry_after, the node ends
RateLimited (retryable) instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from execution.errors import ProviderRateLimited, RateLimited
from execution.events import WaitReason
from execution.outputs import NO_USAGE, ProviderCall
from execution.providers.chat import ChatRequest, Completion, TextProvider
from execution.providers.resilience import CallPolicy, backoff
from execution.providers.streaming import TextSink, stream_completion
from execution.ratelimit.estimate import estimate_tokens
from execution.ratelimit.gate import UNGATED, CallGate, Wait


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

    async def run(self, *, dry_run: bool, on_text: TextSink | None = None, gate: CallGate = UNGATED) -> Completion:
        """Dry-run or send, as the run asks; the whole text either way (usage only when sent)."""
        if dry_run:
            text = "\n\n".join(m.content for m in self.request.messages)
            if on_text is not None:
                on_text(text)
            return Completion(text)
        return await self.send(on_text, gate)

    async def send(self, on_text: TextSink | None = None, gate: CallGate = UNGATED) -> Completion:
        pid = self.provider.provider_id
        budgets = gate.budgets
        tokens = estimate_tokens(self.request) if budgets.limits(pid) else 0
        retry = self.policy.retry
        refusals = 0
        while True:
            reservation = await gate.admit(pid, tokens)
            try:
                completion = await stream_completion(self.provider, self.request, policy=self.policy,
                                                     slot=self.slot, on_text=on_text)
            except ProviderRateLimited as err:
                await budgets.settle(reservation, 0)  # refused unread: the request counts, its tokens do not
                refusals += 1
                wait = err.retry_after if err.retry_after is not None else backoff(retry, refusals)
                if wait > retry.max_retry_after:
                    raise RateLimited(f"{err.message} (asked to wait {wait:g} s, longer than this server "
                                      f"waits: {retry.max_retry_after:g} s)") from err
                if refusals >= retry.max_attempts:
                    raise RateLimited(f"{err.message} ({refusals} times; giving up)") from err
                await gate.pause(Wait(pid, WaitReason.PROVIDER_RETRY_AFTER, wait))
                continue
            # A call that failed otherwise keeps its estimate charged: the vendor may well have counted it.
            if completion.usage is not NO_USAGE:
                usage = completion.usage
                await budgets.settle(reservation, usage.input_tokens + usage.output_tokens)
            return completion
