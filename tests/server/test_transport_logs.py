"""The server's log says what each run did, not every HTTP request its provider SDKs send:
`flowexec serve` at INFO makes a real SDK call to a local fake vendor and logs no per-request line."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

from flowexec.client import FlowClient
from tests.builders import pb_node, pb_request
from tests.cli.commands import clean_env
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fixtures.serve_process import flowexec_serve


async def test_serve_at_info_does_not_log_each_sdk_request(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    env = clean_env(MISTRAL_API_KEY=TEST_KEYS["mistral"], FLOWEXEC_MISTRAL_BASE_URL=f"{fake_openai.url}/mistral/v1",
                    FLOWEXEC_LOG_LEVEL="INFO", FLOWEXEC_SHUTDOWN_GRACE_SECONDS="1")
    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served:
        request = pb_request([pb_node("story", "storyTeller", idea="tides")], [], provider_id="mistral")
        async with FlowClient(served.target) as client:
            events = [event async for event in client.execute_flow(request, timeout=30)]
        assert events[-1].run_completed.counts.complete == 1
        assert [r.path for r in fake_openai.requests] == ["/mistral/v1/chat/completions"]  # the SDK sent it
        served.proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(served.proc.communicate(), timeout=30)
    log = err.decode()
    assert re.search(r"INFO .*run \w+ started", log), log  # INFO lines do reach the log
    assert "HTTP Request" not in log
    assert "/chat/completions" not in log
