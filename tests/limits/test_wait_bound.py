"""A wait longer than the server allows is not waited for: the node ends ERROR, reason
RATE_LIMITED, retryable — for the user's own budget and for a provider's Retry-After alike —
and the rest of the run goes on."""

from __future__ import annotations

import asyncio
import time

from execution.ratelimit.policy import BudgetPolicy
from flowexec.v1 import events_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.limits.serving import limited_server, llm_nodes, run


async def test_budget_wait_past_the_bound_ends_rate_limited(fake_openai: FakeOpenAI) -> None:
    once_a_minute = BudgetPolicy(requests_per_minute=1)
    async with limited_server(fake_openai, budgets={"mistral": once_a_minute}, max_wait=0.5) as target:
        started = time.monotonic()
        async with asyncio.timeout(10):  # a wait that was not refused would take a minute
            seen = await run(target, "ann", llm_nodes("first", "second"))
    assert time.monotonic() - started < 5  # failed at once, not after the minute
    statuses = sorted((s.status, s.reason, s.retryable) for s in (seen.final("n0"), seen.final("n1")))
    assert statuses == [(events_pb2.NODE_STATUS_COMPLETE, 0, False),
                        (events_pb2.NODE_STATUS_ERROR, events_pb2.STATUS_REASON_RATE_LIMITED, True)]
    [failed] = [s for s in (seen.final("n0"), seen.final("n1")) if s.status == events_pb2.NODE_STATUS_ERROR]
    assert "mistral" in failed.message and "1 requests per minute" in failed.message
    assert len(fake_openai.requests) == 1 and not seen.waits()


async def test_retry_after_past_the_bound_ends_rate_limited(fake_openai: FakeOpenAI) -> None:
    def responder(request: ReceivedRequest) -> Reply:
        return Reply.error(429, "Slow down", headers={"Retry-After": "120"})

    fake_openai.responder = responder
    async with limited_server(fake_openai, provider_max_retry_after=30) as target, asyncio.timeout(10):
        seen = await run(target, "ann", llm_nodes("first"))
    final = seen.final("n0")
    assert (final.status, final.reason, final.retryable) == (
        events_pb2.NODE_STATUS_ERROR, events_pb2.STATUS_REASON_RATE_LIMITED, True)
    assert "HTTP 429" in final.message and "120 s" in final.message
    assert len(fake_openai.requests) == 1 and not seen.waits()
