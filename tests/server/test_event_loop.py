"""FLOWEXEC_EVENT_LOOP: `flowexec serve` on uvloop (or asyncio's own loop, the default) serves a
flow whose node calls a vendor through the real SDK, and drains on SIGTERM.

The rest of the server suite runs on uvloop with FLOWEXEC_EVENT_LOOP=uvloop set for pytest
(tests/conftest.py switches the suite's own loop)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from flowexec.client import FlowClient
from tests.builders import pb_edge, pb_node, pb_request
from tests.cli.commands import clean_env
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fixtures.serve_process import ServeFailed, flowexec_serve


@pytest.mark.parametrize("loop", ["uvloop", "asyncio", None])
async def test_serve_runs_flows_on_the_loop_it_is_told(tmp_path: Path, fake_openai: FakeOpenAI,
                                                       loop: str | None) -> None:
    env = clean_env(MISTRAL_API_KEY=TEST_KEYS["mistral"], FLOWEXEC_MISTRAL_BASE_URL=f"{fake_openai.url}/mistral/v1",
                    FLOWEXEC_LOG_LEVEL="INFO", FLOWEXEC_SHUTDOWN_GRACE_SECONDS="5",
                    **({"FLOWEXEC_EVENT_LOOP": loop} if loop else {}))
    async with flowexec_serve(env=env, cwd=tmp_path) as served:
        request = pb_request([pb_node("story", "storyTeller", idea="tides"),
                              pb_node("pause", "diag.delay", seconds=0.05)],
                             [pb_edge("story", "pause")], provider_id="mistral")
        async with FlowClient(served.target) as client:
            events = [event async for event in client.execute_flow(request, timeout=30)]
            assert events[-1].run_completed.counts.complete == 2
            assert [r.path for r in fake_openai.requests] == ["/mistral/v1/chat/completions"]
            # SIGTERM while a run is in flight: it finishes, then the server exits cleanly.
            stream = client.execute_flow(pb_request([pb_node("slow", "diag.delay", seconds=0.5)], []), timeout=30)
            first = await anext(stream)
            served.proc.send_signal(signal.SIGTERM)
            rest = [first, *[event async for event in stream]]
        assert rest[-1].run_completed.counts.complete == 1
        _, err = await asyncio.wait_for(served.proc.communicate(), timeout=30)
    assert served.proc.returncode == 0
    assert f"event loop: {loop or 'asyncio'}" in err.decode()


async def test_an_unknown_loop_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ServeFailed, match="event_loop"):
        async with flowexec_serve(env=clean_env(FLOWEXEC_EVENT_LOOP="trio"), cwd=tmp_path):
            pass
