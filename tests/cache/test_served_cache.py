"""The cache as an operator runs it: `flowexec serve` on a SQLite database, a client over gRPC,
a restart, and the admin commands `flowexec cache stats | clear` against the same database."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

from flowexec.client import FlowClient
from flowexec.v1 import flow_service_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.cache.flows import LLM_NODES, by_prompt, ten_node_flow
from tests.cli.commands import FLOWEXEC, clean_env, run_command
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fixtures.serve_process import ServeProcess, flowexec_serve


def ten_node_request(**options: object) -> flow_service_pb2.ExecuteFlowRequest:
    nodes, edges = ten_node_flow()
    request = pb_request([pb_node(n.id, n.type, **n.data) for n in nodes],
                         [pb_edge(e.source, e.target, e.target_handle) for e in edges], provider_id="mistral")
    for name, value in options.items():
        setattr(request.options, name, value)
    return request


async def cached_nodes(served: ServeProcess, request: flow_service_pb2.ExecuteFlowRequest) -> dict[str, bool]:
    """Each LLM node's `cached`, from its node_output event; checks RunCompleted says the same."""
    async with FlowClient(served.target) as client:
        events = [event async for event in client.execute_flow(request, timeout=60)]
    outputs = {e.node_output.node_id: e.node_output.output for e in events if e.HasField("node_output")}
    completed = events[-1].run_completed
    assert {n: completed.outputs[n].cached for n in LLM_NODES} == {n: outputs[n].cached for n in LLM_NODES}
    return {n: outputs[n].cached for n in LLM_NODES}


async def stop(served: ServeProcess) -> None:
    served.proc.send_signal(signal.SIGTERM)  # a graceful stop writes what the cache has queued
    assert await asyncio.wait_for(served.proc.wait(), 30) == 0


async def test_a_served_cache_survives_a_restart_and_answers_the_admin_commands(
        fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    fake_openai.responder = by_prompt
    env = clean_env(FLOWEXEC_DATABASE_URL=f"sqlite:///{tmp_path / 'flowexec.db'}",
                    MISTRAL_API_KEY=TEST_KEYS["mistral"], FLOWEXEC_MISTRAL_BASE_URL=f"{fake_openai.url}/mistral/v1")
    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served:
        assert not any((await cached_nodes(served, ten_node_request())).values())
        assert all((await cached_nodes(served, ten_node_request())).values())
        await stop(served)
    assert len(fake_openai.requests) == 10

    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served:  # a new process on the same database
        assert all((await cached_nodes(served, ten_node_request())).values())
        bypass = ten_node_request(cache_mode=flow_service_pb2.CACHE_MODE_BYPASS)
        assert not any((await cached_nodes(served, bypass)).values())
        await stop(served)
    assert len(fake_openai.requests) == 20

    stats = await run_command([*FLOWEXEC, "cache", "stats", "--json"], cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["entries"] == 10
    assert {t["node_type"]: (t["entries"], t["hits"]) for t in figures["by_node_type"]} == {
        "initialPrompt": (2, 4), "promptEnhancer": (3, 6), "translator": (3, 6), "grammarFix": (2, 4)}
    cleared = await run_command([*FLOWEXEC, "cache", "clear", "--node-type", "translator"], cwd=tmp_path, env=env)
    assert cleared.returncode == 0 and "deleted 3 cached entries of node type 'translator'" in cleared.stdout

    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served:
        after_clear = await cached_nodes(served, ten_node_request())
        await stop(served)
    assert {n for n, c in after_clear.items() if not c} == {"t1", "t2", "t3"}
    assert len(fake_openai.requests) == 23


async def test_the_admin_commands_refuse_a_cache_that_lives_in_a_server_process(tmp_path: Path) -> None:
    result = await run_command([*FLOWEXEC, "cache", "stats"], cwd=tmp_path, env=clean_env(FLOWEXEC_DATABASE_URL="memory"))
    assert result.returncode == 2 and "memory" in result.stderr
    bad = await run_command([*FLOWEXEC, "cache", "clear", "--database-url", "postgresql://flow:s3cret@127.0.0.1:1/x"],
                            cwd=tmp_path, env=clean_env())
    assert bad.returncode == 2 and "postgresql://flow:***@127.0.0.1:1/x" in bad.stderr and "s3cret" not in bad.stderr
