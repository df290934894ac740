"""`flowexec run` on seed 004's example document (start → llm_text → end) against a `flowexec
serve` process whose Bedrock is the fake, configured the seed's way (AWS_REGION and the key
pair in the environment), and an llm_structured flow whose retry the command line shows."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.commands import CLIENT, ROOT, clean_env, run_command
from tests.fakes.fake_bedrock import FakeBedrock
from tests.fakes.llm_env import AWS_TEST
from tests.fakes.llm_script import Reply
from tests.fixtures.serve_process import flowexec_serve


def bedrock_env(fake: FakeBedrock) -> dict[str, str]:
    env = {k: v for k, v in clean_env().items() if not k.startswith("AWS_")}
    return {**env, "AWS_REGION": AWS_TEST["aws_region"], "AWS_ACCESS_KEY_ID": AWS_TEST["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": AWS_TEST["aws_secret_access_key"], "FLOWEXEC_BEDROCK_BASE_URL": fake.url}


async def test_seed_example_document_through_the_command_line(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply(chunks=("Very well, ", "thanks.")))
    env = bedrock_env(fake_bedrock)
    async with flowexec_serve(env=env, diagnostic_nodes=False) as served:
        result = await run_command([*CLIENT, "run", str(ROOT / "examples" / "seed004_llm_flow.json"),
                                    "--target", served.target], cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert "llm-1 streaming: \nVery well, thanks." in result.stdout
    assert '   text_input: "Very well, thanks."' in result.stdout
    assert "3 complete, 0 error" in result.stdout
    assert AWS_TEST["aws_secret_access_key"] not in result.stdout + result.stderr
    [received] = fake_bedrock.requests
    assert received.body["messages"][0]["content"] == "Generate a response to: Hello, how are you today?"


async def test_a_structured_retry_shows_on_the_command_line(fake_bedrock: FakeBedrock, tmp_path: Path) -> None:
    doc = {"elements": {
        "start": {"type": "start"},
        "card": {"type": "llm_structured", "name": "Keeper", "wrapper_prompt": "Who keeps the light in {place}?",
                 "output_schema": {"name": {"type": "string", "required": True},
                                   "years": {"type": "integer", "required": True}}},
        "end": {"type": "end"}},
        "connections": [{"from_id": "start", "to_id": "card"},
                        {"from_id": "card", "to_id": "end", "from_output": "years", "to_input": "years"}],
        "initial_inputs": {"place": "Ouessant"}}
    flow = tmp_path / "structured.json"
    flow.write_text(json.dumps(doc))
    fake_bedrock.queue(Reply.text('{"name": "Mara", "years": "many"}'), Reply.text('{"name": "Mara", "years": 31}'))
    env = bedrock_env(fake_bedrock)
    async with flowexec_serve(env=env, diagnostic_nodes=False) as served:
        result = await run_command([*CLIENT, "run", str(flow), "--target", served.target], cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    assert ("▶ card (llm_structured): running — reply 1 of 3 did not fit the output schema "
            "($.years: 'many' is not of type 'integer'); asking again") in result.stdout
    assert "   years: 31" in result.stdout
    assert len(fake_bedrock.requests) == 2
