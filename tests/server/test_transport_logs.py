"""The server's log says what each run did, not every HTTP request its provider SDKs send:
`flowexec serve` at INFO makes a real SDK call to a local fake vendor and logs no per-request line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

from flowexec.client import FlowClient
from tests.builders import pb_node, pb_request
from tests.cli.commands import FLOWEXEC, clean_env
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS, fake_openai

__all__ = ["fake_openai"]


async def test_serve_at_info_does_not_log_each_sdk_request(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    env = clean_env(MISTRAL_API_KEY=TEST_KEYS["mistral"], FLOWEXEC_MISTRAL_BASE_URL=f"{fake_openai.url}/mistral/v1",
                    FLOWEXEC_LOG_LEVEL="INFO", FLOWEXEC_SHUTDOWN_GRACE_SECONDS="1")
    proc = await asyncio.create_subprocess_exec(*FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0",
                                                cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
        match = re.match(r"flowexec listening on (\S+)", line)
        assert match, line
        request = pb_request([pb_node("story", "storyTeller", idea="tides")], [], provider_id="mistral")
        async with FlowClient(match.group(1)) as client:
            events = [event async for event in client.execute_flow(request, timeout=30)]
        assert events[-1].run_completed.counts.complete == 1
        assert [r.path for r in fake_openai.requests] == ["/mistral/v1/chat/completions"]  # the SDK sent it
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    log = err.decode()
    assert re.search(r"INFO .*run \w+ started", log), log  # INFO lines do reach the log
    assert "HTTP Request" not in log
    assert "/chat/completions" not in log
