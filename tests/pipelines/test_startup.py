"""`flowexec serve` with its pipeline library and task table from the environment: a bad file or
setting stops it at start-up (exit 2) with one line per problem naming file or variable and
field, before it listens; a good operator directory is served, eco or fast as the settings say."""

from __future__ import annotations

from pathlib import Path

from flowexec.client import FlowClient
from tests.builders import pb_node, pb_request
from tests.cli.commands import FLOWEXEC, clean_env, run_command
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.fixtures.serve_process import flowexec_serve
from tests.pipelines.conftest import OPENROUTER_KEY
from tests.pipelines.library_files import config, write_library

SERVE = [*FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0"]


async def test_a_bad_config_file_stops_the_server_naming_file_and_field(tmp_path: Path) -> None:
    library = write_library(tmp_path / "library", configs={
        "dada": config("text_transformation", parameters={"temperature": 3}),
        "merz": config("text_transformation")})
    result = await run_command(SERVE, cwd=tmp_path, env=clean_env(FLOWEXEC_PIPELINES_DIR=str(library),
                                                                  FLOWEXEC_DATABASE_URL="memory"))
    assert result.returncode == 2
    assert "listening" not in result.stdout
    assert result.stderr.strip() == (f"flowexec: pipeline library: {library}/configs/dada.json: "
                                     "parameters.temperature: 3 is greater than the maximum of 2")


async def test_a_task_table_that_sends_vision_to_the_cloud_stops_the_server(tmp_path: Path) -> None:
    result = await run_command(SERVE, cwd=tmp_path, env=clean_env(
        FLOWEXEC_MODEL_TASKS='{"vision": {"fast": "openrouter/openai/gpt-4o"}}', FLOWEXEC_DATABASE_URL="memory"))
    assert result.returncode == 2 and "listening" not in result.stdout
    assert result.stderr.startswith("flowexec: model tasks: FLOWEXEC_MODEL_TASKS: vision.fast: 'vision' is always "
                                    "local, but 'openrouter/openai/gpt-4o' leaves the machine")


async def test_an_operators_config_runs_in_the_servers_mode(tmp_path: Path, ollama: FakeOllama,
                                                           openrouter: FakeOpenAI) -> None:
    library = write_library(tmp_path / "library", configs={"merz": config("text_transformation", context="Merz!")})
    env = clean_env(FLOWEXEC_PIPELINES_DIR=str(library), FLOWEXEC_DATABASE_URL="memory",
                    FLOWEXEC_EXECUTION_MODE="fast", OPENROUTER_API_KEY=OPENROUTER_KEY,
                    FLOWEXEC_OPENROUTER_BASE_URL=f"{openrouter.url}/api/v1", OLLAMA_BASE_URL=f"{ollama.url}/v1")
    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served, FlowClient(served.target) as client:
        request = pb_request([pb_node("m", "pipeline", config="merz", text="a tram"),
                              pb_node("d", "pipeline", config="dadaism", text="a tram", executionMode="eco")], [])
        events = [e async for e in client.execute_flow(request, timeout=30)]
    done = events[-1].run_completed
    assert (done.counts.complete, done.counts.error) == (2, 0)
    [cloud] = openrouter.requests  # the server's mode, fast
    assert cloud.model == "mistralai/mistral-nemo" and "Context:\nMerz!\n\nPrompt:\na tram" in cloud.prompt
    [local] = ollama.requests  # the node's own mode, eco; the shipped example is still there
    assert local.model == "mistral-nemo" and "Dadaism" in local.prompt


async def test_flowexec_run_sends_the_mode_and_prints_the_steps(tmp_path: Path, ollama: FakeOllama,
                                                                 openrouter: FakeOpenAI) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text('{"nodes": [{"id": "dada", "type": "pipeline", "data": {"config": "dadaism", "text": "a tram"}}]}')
    env = clean_env(FLOWEXEC_DATABASE_URL="memory", OPENROUTER_API_KEY=OPENROUTER_KEY,
                    FLOWEXEC_OPENROUTER_BASE_URL=f"{openrouter.url}/api/v1", OLLAMA_BASE_URL=f"{ollama.url}/v1")
    async with flowexec_serve(env=env, cwd=tmp_path, diagnostic_nodes=False) as served:
        result = await run_command([*FLOWEXEC, "run", str(flow), "--target", served.target, "--mode", "fast"],
                                   cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "▷ dada (pipeline): step 1/1 manipulate started" in result.stdout
    assert "▷ dada (pipeline): step 1/1 manipulate done: [mistralai/mistral-nemo] reply" in result.stdout
    assert [r.model for r in openrouter.requests] == ["mistralai/mistral-nemo"] and not ollama.requests
