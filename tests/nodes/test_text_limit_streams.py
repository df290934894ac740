"""A provider's stream that passes the per-node text limit: the node stops with the limit's own
error, although the provider layer wraps whatever stops a stream half-way."""

from __future__ import annotations

from execution.events import NodeStatus, StatusReason
from execution.run_limits import Limits
from tests.builders import edge, node
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import text_services
from tests.fakes.llm_script import Reply
from tests.run_flow import run_flow


async def test_llm_stream_past_the_limit_ends_the_node_with_the_limit_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.queue(Reply(chunks=("word " * 10,) * 30))
    nodes = [node("p", "initialPrompt", text="a harbour at night"), node("t", "translator", language="it"),
             node("out", "textOutput")]
    async with text_services(fake_openai) as services:
        run = await run_flow(services, nodes, [edge("p", "t"), edge("t", "out")],
                             limits=Limits(max_node_text_bytes=120))
    assert run.deltas("t") == ["word " * 10] * 2
    failed = run.final("t")
    assert (failed.status, failed.reason, failed.retryable) == (NodeStatus.ERROR, StatusReason.INVALID_INPUT, False)
    assert failed.message == ("the text this node streamed passed the limit of 120 bytes per node "
                              "(discard the partial text)")
    assert run.status("out") is NodeStatus.SKIPPED
    assert len(fake_openai.requests) == 1  # not retried
