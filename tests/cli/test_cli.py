"""The `flowexec` command as a user runs it: real processes, real ports, real signals."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from tests.cli.commands import CLIENT, ROOT, clean_env


def test_run_example_flow_then_sigterm_stops_gracefully(served: tuple[subprocess.Popen[str], str]) -> None:
    proc, target = served
    result = subprocess.run([*CLIENT, "run", str(ROOT / "examples" / "text_flow.json"), "--target", target,
                             "--dry-run"],
                            capture_output=True, text=True, env=clean_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"run \w+ started: 8 nodes planned", out)
    assert "✓ char-lena (consistentCharacter): complete" in out
    assert "✓ out-story (textOutput): complete" in out
    assert re.search(r"run completed in \d+ ms: 8 complete, 0 error", out)
    assert "Serene, calm and peaceful mood" in out  # the scene block reached the outputs
    assert "call enhance: mistral/ministral-14b-2512" in out  # dry run shows the exact request
    assert "call storyteller: mistral/labs-mistral-small-creative temperature=0.95" in out

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    logs = proc.stderr.read() if proc.stderr else ""
    assert "shutting down" in logs and "stopped" in logs
    assert re.search(r"run \w+ started: flow=text-flow-harbour", logs)  # logs say what each run did


def test_run_reports_invalid_graph_with_culprit(served: tuple[subprocess.Popen[str], str], tmp_path: Path) -> None:
    _, target = served
    bad = tmp_path / "bad.json"
    bad.write_text('{"nodes": [{"id": "a", "type": "textOutput", "data": {}}],'
                   ' "edges": [{"id": "e1", "source": "a", "target": "nope"}]}')
    result = subprocess.run([*CLIENT, "run", str(bad), "--target", target], capture_output=True, text=True,
                            env=clean_env(), timeout=60)
    assert result.returncode == 1
    assert "INVALID_ARGUMENT" in result.stderr
    assert "edges[0].target: edge 'e1' target 'nope' is not a node of the flow" in result.stderr
