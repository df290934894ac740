"""A provider's 429 with Retry-After through the real server: the node's retry goes out no
sooner than asked, and no slot is held meanwhile — with one slot for the run and one for the
provider, an independent node runs and finishes during the wait."""

from __future__ import annotations

import time

from flowexec.v1 import events_pb2
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.limits.serving import limited_server, llm_nodes, run


async def test_retry_after_requeues_the_node_without_holding_a_slot(fake_openai: FakeOpenAI) -> None:
    sent: list[tuple[str, float]] = []  # (idea, when the fake received it)

    def responder(request: ReceivedRequest) -> Reply:
        idea = "first" if "first" in request.prompt else "second"
        sent.append((idea, time.monotonic()))
        if idea == "first" and len([s for s in sent if s[0] == "first"]) == 1:
            return Reply.error(429, "Rate limit reached for requests", error_type="requests",
                               headers={"Retry-After": "1"})
        return Reply.text(f"a tale of the {idea}")

    fake_openai.responder = responder
    request = llm_nodes("first", "second")
    request.options.max_concurrency = 1  # one run slot …
    async with limited_server(fake_openai, provider_concurrency_limits={"mistral": 1}) as target:  # … one provider slot
        seen = await run(target, "ann", request)

    assert [idea for idea, _ in sent] == ["first", "second", "first"]
    (_, refused), (_, other), (_, retried) = sent
    assert retried - refused >= 1.0  # not before the Retry-After
    assert refused < other < retried  # the other node's call went out during the wait …
    [other_done] = seen.when("n1", events_pb2.NODE_STATUS_COMPLETE)
    [first_done] = seen.when("n0", events_pb2.NODE_STATUS_COMPLETE)
    assert other_done < first_done  # … and finished before the waiting node went on
    [wait] = seen.waits()
    assert (wait.node_id, wait.provider_id, wait.reason, wait.estimated_wait_ms) == (
        "n0", "mistral", events_pb2.WAIT_REASON_PROVIDER_RETRY_AFTER, 1000)
    assert seen.final("n0").status == seen.final("n1").status == events_pb2.NODE_STATUS_COMPLETE
    assert seen.output("n0").output.text == "a tale of the first"
