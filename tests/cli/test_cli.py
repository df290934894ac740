"""The `flowexec` command as a user runs it: real processes, real ports, real signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWEXEC = [sys.executable, "-m", "flowexec"]
KEY_VARS = ("MISTRAL_API_KEY", "GLM_API_KEY", "OPENROUTER_API_KEY", "HF_API_KEY", "ANTHROPIC_API_KEY",
            "FIREWORKS_API_KEY")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in KEY_VARS and not k.startswith("FLOWEXEC_")}


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0", "--diagnostic-nodes"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=clean_env(), cwd=ROOT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.match(r"flowexec listening on (\S+)", line)
    assert match, f"unexpected first line: {line!r}"
    try:
        yield proc, match.group(1)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_run_example_flow_then_sigterm_stops_gracefully(served: tuple[subprocess.Popen[str], str]) -> None:
    proc, target = served
    result = subprocess.run([*FLOWEXEC, "run", str(ROOT / "examples" / "demo_flow.json"), "--target", target,
                             "--dry-run"],
                            capture_output=True, text=True, env=clean_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"run \w+ started: 6 nodes planned", out)
    assert "✓ char-mara (consistentCharacter): complete" in out
    assert "✓ out (textOutput): complete" in out
    assert re.search(r"run completed in \d+ ms: \d+ complete, 0 error", out)
    assert "Volumetric light" in out  # the scene block reached the outputs
    assert "call enhance: mistral/ministral-14b-2512" in out  # dry run shows the exact request

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    logs = proc.stderr.read() if proc.stderr else ""
    assert "shutting down" in logs and "stopped" in logs
    assert re.search(r"run \w+ started: flow=demo-lighthouse", logs)  # logs say what each run did


def test_run_reports_invalid_graph_with_culprit(served: tuple[subprocess.Popen[str], str], tmp_path: Path) -> None:
    _, target = served
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"id": "a", "type": "textOutput", "data": {}}],'
                   ' "edges": [{"id": "e1", "source": "a", "target": "nope"}]}')
    result = subprocess.run([*FLOWEXEC, "run", str(bad), "--target", target], capture_output=True, text=True,
                            env=clean_env(), timeout=60)
    assert result.returncode == 1
    assert "INVALID_ARGUMENT" in result.stderr
    assert "edges[0].target: edge 'e1' target 'nope' is not a node of the flow" in result.stderr


def test_demo_runs_without_keys_as_dry_run() -> None:
    result = subprocess.run([*FLOWEXEC, "demo"], capture_output=True, text=True, env=clean_env(), cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout
    assert re.search(r"run completed in \d+ ms: 6 complete, 0 error", result.stdout)
    assert "## ORIGINAL PROMPT:" in result.stdout  # the enhancer's exact prompt is shown
