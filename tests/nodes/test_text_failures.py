"""Failure modes of LLM nodes on the real engine with fake providers: exhausted retries,
missing keys, broken streams, timeouts, client cancellation, concurrency, key hygiene."""

from __future__ import annotations

import asyncio
import time

from execution.engine import Engine
from execution.events import NodeStatus, StatusReason
from execution.nodes.builtin import builtin_registry
from tests.builders import edge, flow, node
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS, text_services
from tests.fakes.llm_script import Reply
from tests.run_flow import run_flow

SOURCE = node("p", "initialPrompt", text="a harbour at night")


async def test_429_with_retry_after_then_success(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.error(429, "Too many requests", headers={"Retry-After": "0.3"}))
    async with text_services(fake_openai) as services:
        started = time.monotonic()
        run = await run_flow(services, [SOURCE, node("t", "translator", language="it")], [edge("p", "t")])
    assert run.status("t") is NodeStatus.COMPLETE and len(fake_openai.requests) == 2
    assert time.monotonic() - started >= 0.25


async def test_repeated_5xx_errors_the_node_and_skips_downstream(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(*[Reply.error(502, "Bad gateway")] * 3)
    nodes = [SOURCE, node("t", "translator", language="it"), node("g", "grammarFix"), node("out", "textOutput"),
             node("other", "initialPrompt", text="independent"), node("out2", "textOutput")]
    async with text_services(fake_openai, provider_max_attempts=3) as services:
        run = await run_flow(services, nodes, [edge("p", "t"), edge("t", "g"), edge("g", "out"),
                                               edge("other", "out2")])
    failed = run.final("t")
    assert (failed.status, failed.reason, failed.retryable) == (NodeStatus.ERROR, StatusReason.PROVIDER_ERROR, True)
    assert failed.message == "mistral returned HTTP 502: Bad gateway"
    for downstream in ("g", "out"):
        assert (run.status(downstream), run.final(downstream).reason) == (NodeStatus.SKIPPED,
                                                                          StatusReason.UPSTREAM_FAILED)
    assert run.status("out2") is NodeStatus.COMPLETE
    assert len(fake_openai.requests) == 3
    assert (run.completed.counts.error, run.completed.counts.skipped) == (1, 2)


async def test_missing_key_errors_only_that_node_and_names_the_variable(fake_openai: FakeOpenAI) -> None:
    nodes = [SOURCE, node("m", "translator", language="fr"), node("g", "translator", language="fr", providerId="glm")]
    async with text_services(fake_openai, keys={"glm": TEST_KEYS["glm"]}) as services:
        run = await run_flow(services, nodes, [edge("p", "m"), edge("p", "g")])
    missing = run.final("m")
    assert (missing.status, missing.reason, missing.retryable) == (NodeStatus.ERROR, StatusReason.NOT_CONFIGURED,
                                                                   False)
    assert missing.message == "Provider 'mistral' is not configured: set MISTRAL_API_KEY"
    assert run.status("g") is NodeStatus.COMPLETE
    assert [r.path.split("/")[1] for r in fake_openai.requests] == ["glm"]


async def test_stream_dropped_after_text_errors_and_says_so(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=("Una ", "notte ", "al porto"), drop_after=2))
    nodes = [SOURCE, node("t", "translator", language="it"), node("out", "textOutput")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "t"), edge("t", "out")])
    assert run.deltas("t") == ["Una ", "notte "]
    failed = run.final("t")
    assert failed.status is NodeStatus.ERROR and failed.retryable
    assert "broke after 10 characters" in failed.message and "discard the partial text" in failed.message
    assert run.status("out") is NodeStatus.SKIPPED and len(fake_openai.requests) == 1


async def test_stream_dropped_before_text_is_retried_transparently(fake_anthropic: FakeAnthropic) -> None:
    fake_anthropic.queue(Reply(drop_after=0))
    async with text_services(anthropic=fake_anthropic) as services:
        run = await run_flow(services, [node("s", "storyTeller", idea="fog", providerId="claude")], [])
    assert run.status("s") is NodeStatus.COMPLETE and len(fake_anthropic.requests) == 2
    assert run.output("s").text == "".join(run.deltas("s"))


async def test_slow_provider_hits_the_per_call_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(delay=30), Reply(delay=30))
    async with text_services(fake_openai, provider_timeouts={"mistral": 0.2}, provider_max_attempts=2) as services:
        run = await run_flow(services, [SOURCE, node("t", "translator", language="it")], [edge("p", "t")])
    failed = run.final("t")
    assert (failed.status, failed.reason, failed.retryable) == (NodeStatus.ERROR, StatusReason.TIMEOUT, True)
    assert failed.message == "mistral call timed out after 0.2 s"
    await fake_openai.wait_until(lambda: fake_openai.disconnects == 2)


async def test_cancelling_the_run_aborts_the_in_flight_request(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=("Una ", "notte"), hang_after=1))
    async with text_services(fake_openai) as services:
        engine = Engine(builtin_registry(), services)
        run = engine.start(engine.prepare(flow([SOURCE, node("t", "translator", language="it")], [edge("p", "t")])))
        async with run:
            await fake_openai.wait_until(lambda: fake_openai.in_flight == 1)
            await run.cancel()
        await fake_openai.wait_until(lambda: fake_openai.disconnects == 1 and fake_openai.in_flight == 0)
        assert run.status("t") is NodeStatus.CANCELLED


async def test_per_provider_concurrency_limit_holds_across_nodes(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda request: Reply.text("done", delay=0.2)
    targets = [node(f"t{i}", "translator", language="es") for i in range(6)]
    glm = [node(f"g{i}", "translator", language="es", providerId="glm") for i in range(3)]
    async with text_services(fake_openai, provider_concurrency_limits={"mistral": 2}) as services:
        run = await run_flow(services, [SOURCE, *targets, *glm], [edge("p", n.id) for n in (*targets, *glm)])
    assert all(run.status(n.id) is NodeStatus.COMPLETE for n in (*targets, *glm))
    assert fake_openai.max_in_flight_by == {"mistral": 2, "glm": 3}  # glm is not held back by mistral's limit


async def test_limit_is_shared_by_concurrent_runs(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda request: Reply.text("done", delay=0.1)
    async with text_services(fake_openai, provider_concurrency_limits={"mistral": 1}) as services:
        flows = [run_flow(services, [SOURCE, node("t", "translator", language="es")], [edge("p", "t")])
                 for _ in range(3)]
        runs = await asyncio.gather(*flows)
    assert all(r.status("t") is NodeStatus.COMPLETE for r in runs)
    assert fake_openai.max_in_flight == 1


async def test_no_key_material_in_any_event(fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic) -> None:
    mistral_key = TEST_KEYS["mistral"]
    fake_openai.responder = lambda request: (
        Reply.error(400, f"Key {mistral_key} may not use this model", error_type="invalid_request_error")
        if request.path.startswith("/mistral/") else Reply.text("ok"))
    wrong_glm = "glm-WRONGKEY-3141592653"
    nodes = [SOURCE, node("m", "translator", language="fr"), node("g", "translator", language="fr", providerId="glm"),
             node("c", "translator", language="fr", providerId="claude"),
             node("h", "translator", language="fr", providerId="huggingface")]
    keys = {**TEST_KEYS, "glm": wrong_glm}
    async with text_services(fake_openai, fake_anthropic, keys=keys) as services:
        run = await run_flow(services, nodes, [edge("p", n.id) for n in nodes[1:]])
    assert run.final("m").status is NodeStatus.ERROR and "[redacted]" in run.final("m").message
    assert run.final("g").reason is StatusReason.NOT_CONFIGURED and "GLM_API_KEY" in run.final("g").message
    assert {run.status("c"), run.status("h")} == {NodeStatus.COMPLETE}
    dump = repr(run.events)
    for secret in (*keys.values(), wrong_glm):
        assert secret not in dump
        assert secret[-10:] not in dump  # not even a tail of one
