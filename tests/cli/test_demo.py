"""`flowexec demo` as a user runs it: from any directory (also from a wheel install), live when a
provider key is set in the environment or in a `.env` in the working directory, a dry run otherwise."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.cli.commands import FLOWEXEC, clean_env, run_command
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.wheel_install import install_wheel

# What `pip install` of the project copies: pyproject's packages and its readme.


async def test_demo_without_keys_runs_dry_outside_the_repository(tmp_path: Path) -> None:
    result = await run_command([*FLOWEXEC, "demo"], cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "running as a dry run" in result.stdout
    assert re.search(r"run completed in \d+ ms: 6 complete, 0 error", result.stdout)
    assert "## ORIGINAL PROMPT:" in result.stdout  # the enhancer's exact prompt is shown


async def test_a_key_in_dotenv_makes_the_demo_call_the_provider(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    (tmp_path / ".env").write_text(f"MISTRAL_API_KEY={TEST_KEYS['mistral']}\n"
                                   f"FLOWEXEC_MISTRAL_BASE_URL={fake_openai.url}/mistral/v1\n")
    result = await run_command([*FLOWEXEC, "demo"], cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dry run" not in result.stdout
    assert "Provider keys set: MISTRAL_API_KEY" in result.stdout
    assert re.search(r"run completed in \d+ ms: 6 complete, 0 error", result.stdout)
    # idea (persona injection), enhance and translate each called the fake with the .env key.
    assert [r.path for r in fake_openai.requests] == ["/mistral/v1/chat/completions"] * 3
    assert {r.headers["Authorization"] for r in fake_openai.requests} == {f"Bearer {TEST_KEYS['mistral']}"}
    assert "[ministral-14b-2512] reply" in result.stdout
    assert "call enhance:" not in result.stdout  # a live run's provider calls stay on the server


async def test_demo_with_provider_calls_shows_a_live_runs_calls(tmp_path: Path, fake_openai: FakeOpenAI) -> None:
    (tmp_path / ".env").write_text(f"MISTRAL_API_KEY={TEST_KEYS['mistral']}\n"
                                   f"FLOWEXEC_MISTRAL_BASE_URL={fake_openai.url}/mistral/v1\n")
    result = await run_command([*FLOWEXEC, "demo", "--provider-calls"], cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dry run" not in result.stdout
    assert "call enhance: mistral/ministral-14b-2512" in result.stdout


async def test_a_fireworks_key_alone_counts_as_a_configured_provider(tmp_path: Path) -> None:
    result = await run_command([*FLOWEXEC, "demo"], cwd=tmp_path, env=clean_env(FIREWORKS_API_KEY="fw-demo-key"))
    assert "dry run" not in result.stdout
    assert "Provider keys set: FIREWORKS_API_KEY" in result.stdout
    # The demo's text nodes use mistral, whose key is missing: they fail, naming the variable.
    assert "Provider 'mistral' is not configured: set MISTRAL_API_KEY" in result.stdout
    assert result.returncode == 2


async def test_demo_from_a_wheel_install_outside_the_repository(tmp_path: Path) -> None:
    site = install_wheel(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(PYTHONPATH=str(site))
    where = await run_command([sys.executable, "-c", "import server.demo; print(server.demo.__file__)"],
                              cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(site), where  # the wheel's copy, not the repository's

    result = await run_command([sys.executable, str(site / "bin" / "flowexec"), "demo"], cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"run completed in \d+ ms: 6 complete, 0 error", result.stdout)
