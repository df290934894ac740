"""How the tests run the `flowexec` commands: as processes, with a clean environment. (`flowexec
serve` as a process of its own: tests/fixtures/serve_process.py.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The installed command (server and client commands) and the client package's own (`run` only).
FLOWEXEC = [str(Path(sys.executable).parent / "flowexec")]
CLIENT = [sys.executable, "-m", "flowexec"]
KEY_VARS = ("MISTRAL_API_KEY", "GLM_API_KEY", "OPENROUTER_API_KEY", "HF_API_KEY", "ANTHROPIC_API_KEY",
            "FIREWORKS_API_KEY")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without provider keys or FLOWEXEC_* settings, plus `extra`; its
    data dir (the default SQLite database) is a fresh one unless `extra` names one or a database."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS and not k.startswith("FLOWEXEC_")}
    env["FLOWEXEC_DATA_DIR"] = tempfile.mkdtemp(prefix="flowexec-test-data-")
    return {**env, **extra}


async def run_command(args: list[str], *, cwd: Path, env: dict[str, str],
                      timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command to its end without blocking the event loop (a test's fake vendor serves on it)."""
    proc = await asyncio.create_subprocess_exec(*args, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(timeout):
            out, err = await proc.communicate()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode is not None
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())
