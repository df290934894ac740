"""Provider calls (provider, model, the full prompts) reach a client only where they are meant
to: always in a dry run (showing them is its purpose), in a live run only when the request asks
(options.include_provider_calls) and the server allows it (FLOWEXEC_EXPOSE_PROVIDER_CALLS)."""

from __future__ import annotations

import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import Reply
from tests.fixtures.servers import StartServer

MODEL = "labs-mistral-small-creative"  # the storyteller's default model
IDEA = "a lighthouse keeper"  # in the storyteller's prompt


async def run_story(target: str, **options: bool) -> list[events_pb2.NodeEvent]:
    request = pb_request([pb_node("story", "storyTeller", idea=IDEA), pb_node("out", "textOutput")],
                         [pb_edge("story", "out")], **options)
    async with FlowClient(target) as client:
        return [event async for event in client.execute_flow(request)]


def calls_seen(events: list[events_pb2.NodeEvent]) -> tuple[list[str], list[str]]:
    """(models in node_output events' provider calls, models in run_completed's)."""
    produced = [c.model for e in events if e.HasField("node_output") for c in e.node_output.output.provider_calls]
    repeated = [c.model for o in events[-1].run_completed.outputs.values() for c in o.provider_calls]
    return produced, repeated


@pytest.mark.parametrize(("allowed", "asked"), [(False, False), (False, True), (True, False)],
                         ids=["default", "asked-but-not-allowed", "allowed-but-not-asked"])
async def test_a_live_run_sends_no_provider_calls_unless_asked_and_allowed(
        start_server: StartServer, services: Services, fake_openai: FakeOpenAI, allowed: bool, asked: bool) -> None:
    fake_openai.responder = lambda request: Reply(chunks=("The lamp ", "burns."))
    target = await start_server(Engine(builtin_registry(), services), expose_provider_calls=allowed)
    events = await run_story(target, include_provider_calls=asked)
    assert events[-1].run_completed.outputs["out"].text == "The lamp burns."
    assert calls_seen(events) == ([], [])
    # Neither the model nor the prompt reached the client some other way.
    assert MODEL not in str(events) and IDEA not in str(events)


async def test_a_live_run_sends_them_when_asked_and_allowed(start_server: StartServer, services: Services) -> None:
    target = await start_server(Engine(builtin_registry(), services), expose_provider_calls=True)
    events = await run_story(target, include_provider_calls=True)
    assert calls_seen(events) == ([MODEL], [MODEL])


async def test_a_dry_run_always_sends_them(start_server: StartServer) -> None:
    target = await start_server(Engine(builtin_registry(), Services()))
    events = await run_story(target, dry_run=True)
    assert calls_seen(events) == ([MODEL], [MODEL])
    [call] = events[-1].run_completed.outputs["story"].provider_calls
    assert call.provider_id == "mistral" and IDEA in call.messages[-1].content
