"""How the tests run the `flowexec` commands: as processes, with a clean environment."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The installed command (server and client commands) and the client package's own (`run` only).
FLOWEXEC = [str(Path(sys.executable).parent / "flowexec")]
CLIENT = [sys.executable, "-m", "flowexec"]
KEY_VARS = ("MISTRAL_API_KEY", "GLM_API_KEY", "OPENROUTER_API_KEY", "HF_API_KEY", "ANTHROPIC_API_KEY",
            "FIREWORKS_API_KEY")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without provider keys or FLOWEXEC_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in KEY_VARS and not k.startswith("FLOWEXEC_")}
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


@dataclass
class ServeProcess:
    proc: asyncio.subprocess.Process
    target: str  # host:port from the readiness line


@asynccontextmanager
async def flowexec_serve(*args: str, env: dict[str, str], cwd: Path = ROOT) -> AsyncIterator[ServeProcess]:
    """`flowexec serve --host 127.0.0.1 --port 0 ARGS` in its own session (stdout and stderr piped),
    yielded once it printed its readiness line; killed with its process group on the way out unless
    the test stopped it."""
    proc = await asyncio.create_subprocess_exec(
        *FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
        match = re.match(r"flowexec listening on (\S+)", line)
        assert match, f"unexpected first line: {line!r}"
        yield ServeProcess(proc, match.group(1))
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
