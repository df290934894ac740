"""`flowexec run --detach` and `flowexec runs …` as a user runs them, against a real `flowexec serve`
(runs stored in its SQLite database): start, walk away, watch, inspect, list, cancel, resume."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.commands import CLIENT, clean_env

FLOW = {
    "flowId": "cli-runs",
    "nodes": [
        {"id": "a", "type": "diag.delay", "data": {"text": "hello"}},
        {"id": "slow", "type": "diag.delay", "data": {"seconds": 30}},
        {"id": "b", "type": "diag.delay", "data": {}},
    ],
    "edges": [{"id": "e1", "source": "a", "target": "b", "targetHandle": "text"}],
}


@pytest.fixture
def flow_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(FLOW))
    yield path


def flowexec(*args: str, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLIENT, *args, "--target", target], capture_output=True, text=True, env=clean_env(),
                          timeout=60)


def test_a_detached_run_is_watched_inspected_listed_cancelled_and_resumed(
        served: tuple[subprocess.Popen[str], str], flow_file: Path) -> None:
    _, target = served
    started = flowexec("run", str(flow_file), "--detach", target=target)
    assert started.returncode == 0, started.stderr
    run_id = started.stdout.strip()
    assert len(run_id) == 32

    listed = flowexec("runs", "list", "--state", "running", target=target)
    assert listed.returncode == 0 and listed.stdout.startswith(run_id), listed.stdout + listed.stderr
    assert "flow=cli-runs" in listed.stdout

    cancelled = flowexec("runs", "cancel", run_id, target=target)
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout, cancelled.stdout + cancelled.stderr

    watched = flowexec("runs", "watch", run_id, "--after", "0", target=target)
    assert watched.returncode == 2  # the run ended with a cancelled node
    assert "slow: cancelled [client_cancelled]" in watched.stdout, watched.stdout
    assert "run completed" in watched.stdout
    followed = flowexec("runs", "watch", run_id, "--follow", target=target)  # no takeover: the same story
    assert (followed.returncode, followed.stdout) == (watched.returncode, watched.stdout)

    details = flowexec("runs", "get", run_id, target=target)
    assert details.returncode == 0
    assert "  a: complete — hello" in details.stdout and "  slow: cancelled" in details.stdout, details.stdout

    resumed = flowexec("runs", "resume", run_id, target=target)
    assert resumed.returncode == 0, resumed.stderr
    child = resumed.stdout.strip()
    assert child != run_id
    parent_line = flowexec("runs", "get", child, target=target).stdout.splitlines()[0]
    assert f"resumes {run_id}" in parent_line

    unknown = flowexec("runs", "get", "0" * 32, target=target)
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr
