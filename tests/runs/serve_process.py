"""`flowexec serve` as its own process (as deployed): its address, its log lines, its memory, kill -9."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli.commands import FLOWEXEC, ROOT, clean_env


@dataclass
class ServeProcess:
    proc: asyncio.subprocess.Process
    target: str
    log: list[str] = field(default_factory=list)

    def rss_mib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    async def wait_for_log(self, text: str, count: int = 1, timeout: float = 60) -> None:
        """Until `text` has appeared in `count` log lines."""
        assert self.proc.stderr is not None
        async with asyncio.timeout(timeout):
            while sum(text in line for line in self.log) < count:
                line = await self.proc.stderr.readline()
                assert line, f"the server exited: {self.log[-5:]}"
                self.log.append(line.decode(errors="replace"))

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)


@asynccontextmanager
async def flowexec_serve(cwd: Path | None = None, **env: str) -> AsyncIterator[ServeProcess]:
    """A server with the diag.* nodes on 127.0.0.1:0; `env` adds FLOWEXEC_* settings and keys."""
    proc = await asyncio.create_subprocess_exec(
        *FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0", "--diagnostic-nodes",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=clean_env(**env), cwd=cwd or ROOT,
        start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), timeout=30)).decode()
        match = re.match(r"flowexec listening on (\S+)", line)
        if match is None:
            err = (await asyncio.wait_for(proc.stderr.read(), timeout=10)).decode()
            raise ServeFailed(err or line)
        yield ServeProcess(proc, match.group(1))
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()


class ServeFailed(Exception):
    """The server did not start; str() is what it said."""
