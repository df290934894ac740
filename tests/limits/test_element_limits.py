"""The seed-004 LLM elements under the limits of the editor's LLM nodes, through the real server on
the fake vendors: llm_text and llm_structured outputs carry the tokens the vendor reported
(llm_structured: every attempt's, a misfit's included) and RunCompleted sums them; their calls
pass the node's call gate, so a user over budget waits on them (NodeWaiting) as on any LLM
node — a structured retry included."""

from __future__ import annotations

from typing import Any

from execution.ratelimit.policy import BudgetPolicy
from flowexec.v1 import events_pb2, graph_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import Reply
from tests.limits.serving import Seen, limited_server, run

PERSON = {"name": {"type": "string", "required": True}, "age": {"type": "integer", "required": True}}
# One request per half second per user: a second call waits for the first's half second to pass.
ONE_PER_HALF_SECOND = BudgetPolicy(requests_per_minute=1, interval=0.5)
RUNNING, COMPLETE = events_pb2.NODE_STATUS_RUNNING, events_pb2.NODE_STATUS_COMPLETE


def llm_text(node_id: str, prompt: str, **data: Any) -> graph_pb2.Node:
    return pb_node(node_id, "llm_text", providerId="mistral", model="mistral-small-latest", wrapper_prompt=prompt,
                   **data)


def llm_structured(node_id: str, provider_id: str) -> graph_pb2.Node:
    return pb_node(node_id, "llm_structured", name="Person card", providerId=provider_id,
                   wrapper_prompt="Who keeps the lighthouse?", output_schema=PERSON)


def usage(seen: Seen, node_id: str) -> tuple[int, int]:
    out = seen.output(node_id).output
    return out.usage.input_tokens, out.usage.output_tokens


async def test_element_outputs_carry_usage_and_the_run_sums_it(fake_openai: FakeOpenAI,
                                                               fake_anthropic: FakeAnthropic) -> None:
    fake_openai.queue(Reply.text("The keeper sleeps by day.", usage=(120, 30)))
    fake_anthropic.queue(Reply.text('{"name": "Mara", "age": "34"}', usage=(200, 40)),  # a misfit: asked again
                         Reply.text('{"name": "Mara", "age": 34}', usage=(260, 20)))
    request = pb_request([llm_text("t", "Tell of the keeper."), llm_structured("s", "claude")], [],
                         provider_id="mistral")
    async with limited_server(fake_openai, fake_anthropic) as target:
        seen = await run(target, "ann", request)

    assert seen.final("t").status == seen.final("s").status == COMPLETE
    assert usage(seen, "t") == (120, 30)
    assert usage(seen, "s") == (460, 60)  # both attempts' tokens were spent
    done = seen.completed
    assert (done.usage.input_tokens, done.usage.output_tokens) == (580, 90)
    assert (done.outputs["s"].usage.input_tokens, done.outputs["t"].usage.output_tokens) == (460, 30)
    assert len(fake_anthropic.requests) == 2


async def test_a_user_over_budget_waits_on_llm_text_nodes(fake_openai: FakeOpenAI) -> None:
    fake_openai.responder = lambda request: Reply.text("a tale", pieces=1)
    request = pb_request([llm_text("a", "First tale."), llm_text("b", "Second tale.")], [], provider_id="mistral")
    async with limited_server(fake_openai, budgets={"mistral": ONE_PER_HALF_SECOND}) as target:
        seen = await run(target, "ann", request)

    [wait] = seen.waits()
    assert (wait.provider_id, wait.reason) == ("mistral", events_pb2.WAIT_REASON_RATE_LIMITED)
    assert wait.node_id in ("a", "b") and 0 < wait.estimated_wait_ms <= 600
    # RUNNING, waiting (its slot given back), RUNNING again once the budget has room, COMPLETE.
    assert len(seen.when(wait.node_id, RUNNING)) == 2
    assert seen.final("a").status == seen.final("b").status == COMPLETE
    assert len(fake_openai.requests) == 2


async def test_each_structured_attempt_passes_the_budget(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply.text('{"name": "Mara"}'), Reply.text('{"name": "Mara", "age": 34}'))
    request = pb_request([llm_structured("s", "mistral")], [], provider_id="mistral")
    async with limited_server(fake_openai, budgets={"mistral": ONE_PER_HALF_SECOND}) as target:
        seen = await run(target, "ann", request)

    [wait] = seen.waits()  # the retry, right after the misfit, waits for the user's budget
    assert (wait.node_id, wait.provider_id) == ("s", "mistral")
    assert seen.final("s").status == COMPLETE and len(fake_openai.requests) == 2
