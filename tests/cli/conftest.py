"""The `flowexec serve` process the CLI tests talk to."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator

import pytest

from tests.cli.commands import FLOWEXEC, ROOT, clean_env


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
