"""Token usage as the vendors report it, through the real server: OpenAI's last chunk with
`usage` (asked for with stream_options), Mistral's usage on the finishing chunk, Anthropic's
message_start / message_delta usage — on each node's output, summed in RunCompleted; none in a
dry run."""

from __future__ import annotations

from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import ReceivedRequest, Reply
from tests.limits.serving import limited_server, run


def usage(seen_output: events_pb2.NodeOutputProduced) -> tuple[int, int]:
    return seen_output.output.usage.input_tokens, seen_output.output.usage.output_tokens


async def test_usage_from_both_wire_formats_on_outputs_and_totals(fake_openai: FakeOpenAI,
                                                                   fake_anthropic: FakeAnthropic) -> None:
    def openai_usage(request: ReceivedRequest) -> Reply:
        if request.path.startswith("/glm/"):
            return Reply.text("glm tale", usage=(333, 44), usage_on_finish=True)
        return Reply.text("mistral tale", usage=(111, 22))

    fake_openai.responder = openai_usage
    fake_anthropic.responder = lambda request: Reply.text("claude tale", usage=(555, 66))
    request = pb_request([
        pb_node("m", "storyTeller", idea="a lighthouse"),
        pb_node("g", "storyTeller", idea="a harbour", providerId="glm", model="glm-4.7"),
        pb_node("c", "storyTeller", idea="a storm", providerId="claude", model="claude-sonnet-4-6"),
        pb_node("o", "textOutput"),
    ], [], provider_id="mistral")
    async with limited_server(fake_openai, fake_anthropic) as target:
        seen = await run(target, "ann", request)
        dry = pb_request(list(request.nodes), [], provider_id="mistral", dry_run=True)
        dry_seen = await run(target, "ann", dry)

    assert usage(seen.output("m")) == (111, 22)
    assert usage(seen.output("g")) == (333, 44)
    assert usage(seen.output("c")) == (555, 66)
    assert not seen.output("o").output.HasField("usage")
    done = seen.completed
    assert (done.usage.input_tokens, done.usage.output_tokens) == (999, 132)
    assert done.outputs["c"].usage.input_tokens == 555  # the summary's outputs carry it too
    assert not dry_seen.completed.HasField("usage")
    assert not any(dry_seen.output(n).output.HasField("usage") for n in ("m", "g", "c"))
