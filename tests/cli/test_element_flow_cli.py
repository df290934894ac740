"""`flowexec run` given a seed-004 flow document (elements and connections), as a user runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.commands import CLIENT, ROOT, clean_env


def test_run_element_flow_document_prints_statuses_and_results(served: tuple[subprocess.Popen[str], str]) -> None:
    _, target = served
    result = subprocess.run([*CLIENT, "run", str(ROOT / "examples" / "element_flow.json"), "--target", target,
                             "--inputs", '{"prompt": "The sea is calm."}'],
                            capture_output=True, text=True, env=clean_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "↷ ask-1 (data_block): skipped [branch_not_taken] Branch not taken" in out
    assert "5 complete, 0 error, 1 skipped" in out
    assert '   text_input: "You made a statement."' in out and '   prompt: "The sea is calm."' in out


def test_run_reports_a_malformed_document_and_bad_handles(served: tuple[subprocess.Popen[str], str],
                                                          tmp_path: Path) -> None:
    _, target = served
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"flow_definition": {"elements": {}, "connections": [], "start_element_id": "s"}}')
    result = subprocess.run([*CLIENT, "run", str(malformed), "--target", target], capture_output=True, text=True,
                            env=clean_env(), timeout=60)
    assert result.returncode == 1 and "start_element_id 's' is not an element of the flow" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"elements": {"s": {"type": "start"}, "e": {"type": "end", "input_schema": {"out": {}}}},'
                   ' "connections": [{"from_id": "s", "to_id": "e", "to_input": "oops"}]}')
    result = subprocess.run([*CLIENT, "run", str(bad), "--target", target], capture_output=True, text=True,
                            env=clean_env(), timeout=60)
    assert result.returncode == 1 and "INVALID_ARGUMENT" in result.stderr
    assert ("edges[0].target_handle: edge 'connection-0' target handle 'oops' is not an input of node 'e' (end); "
            "its inputs: out") in result.stderr
