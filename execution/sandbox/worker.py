"""One sandboxed interpreter: started, ready, given exactly one job, then destroyed.

`Worker.start` launches bubblewrap around the runner (execution.sandbox.runner) and returns
once the runner says `ready` (its limits in force); a pool may hold it that way until a job
comes. `run` hands the job over and waits for the verdict under the wall-clock limit, while
the code's output (its prints) is read beside it under the output cap. Whatever the outcome,
the sandbox is then killed whole: the kill goes to the sandbox's own init process (found
through bubblewrap's --info-fd, held as a pidfd so the signal can never reach a recycled pid),
which takes every process in its pid namespace with it, and bubblewrap, our child, exits and
is reaped. A worker is never given a second job.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from execution.quoting import shorten
from execution.sandbox.command import SandboxCommand
from execution.sandbox.errors import (
    CodeFailed,
    CodeLimitExceeded,
    CodeTimeout,
    Limit,
    SandboxCrashed,
    SandboxError,
)
from execution.sandbox.policy import SandboxPolicy

log = logging.getLogger(__name__)

START_TIMEOUT_SECONDS = 10.0
EXIT_TIMEOUT_SECONDS = 5.0
_LOG_CHUNK = 64 * 1024
# Room for the verdict's own JSON around a result of the largest allowed size.
_VERDICT_SLACK = 64 * 1024
_MAX_MESSAGE = 1000


@dataclass(frozen=True, slots=True)
class SandboxResult:
    # What `main` returned: a JSON object.
    value: dict[str, Any]
    # What the code printed (stdout and stderr, in arrival order), UTF-8 with bad bytes replaced.
    logs: str
    # From handing the job over to the verdict.
    duration_ms: float
    # The worker had been started ahead of the job.
    warm: bool


class Worker:
    def __init__(self, proc: asyncio.subprocess.Process, policy: SandboxPolicy, info_fd: int) -> None:
        self._proc = proc
        self._policy = policy
        self._pidfd: int | None = None
        self._init = asyncio.ensure_future(self._hold_init(info_fd))
        self._logs = bytearray()
        self._overflow = asyncio.Event()
        self._log_task = asyncio.create_task(self._read_logs())
        self._killed = False
        self._discarded = False
        self.warm = False

    @classmethod
    async def start(cls, command: SandboxCommand, policy: SandboxPolicy) -> Worker:
        """A ready worker; SandboxCrashed (with bubblewrap's or the runner's own words) if not."""
        info_read, info_write = os.pipe()
        spawn = asyncio.ensure_future(asyncio.create_subprocess_exec(
            *command.argv(policy, info_write),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={}, start_new_session=True, pass_fds=(info_write,),
            limit=policy.max_output_bytes + _VERDICT_SLACK))
        try:
            # Shielded: cancelling asyncio's subprocess creation half-way can leave it waiting for
            # ever for pipes it never closes (CPython 3.11). A cancel lets the spawn finish, then
            # discards the worker like any other.
            proc = await asyncio.shield(spawn)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await cls(await spawn, policy, info_read).discard()
            raise
        except OSError as exc:
            os.close(info_read)
            raise SandboxCrashed(f"could not start {exc.filename or command.bwrap}: {exc.strerror or exc}") from None
        finally:
            os.close(info_write)
        worker = cls(proc, policy, info_read)
        try:
            await worker._wait_ready()
        except BaseException:
            await worker.discard()
            raise
        return worker

    async def _wait_ready(self) -> None:
        assert self._proc.stdout is not None
        try:
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                line = await self._proc.stdout.readline()
                await self._init
        except TimeoutError:
            raise SandboxCrashed(f"the sandbox did not start within {START_TIMEOUT_SECONDS:g} s") from None
        if line != b"ready\n":
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(EXIT_TIMEOUT_SECONDS):
                    await self._proc.wait()
                    await self._log_task
            said = shorten(self._logs.decode(errors="replace").strip(), _MAX_MESSAGE) or "nothing"
            raise SandboxCrashed(f"the sandbox did not start (exit status {self._proc.returncode}): {said}")
        if self._pidfd is None:  # bubblewrap said nothing of its sandbox: it could not be killed whole
            raise SandboxCrashed("bubblewrap did not report the sandbox's process (--info-fd)")

    async def _hold_init(self, info_fd: int) -> None:
        """A pidfd on the sandbox's init process (pid 1 of its pid namespace), from the JSON
        bubblewrap writes to --info-fd once it has cloned it. Killing that process ends every
        process in the sandbox at once, also while bubblewrap is still setting it up, when
        killing bubblewrap itself would leave the half-built sandbox running."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(info_fd, "rb", buffering=0))
        try:
            info = json.loads(await reader.readuntil(b"}"))
            pid = int(info["child-pid"])
            pidfd = os.pidfd_open(pid)
            # Still bubblewrap's child (not a recycled pid): then the pidfd is the sandbox's init.
            if _parent_of(pid) == self._proc.pid:
                self._pidfd = pidfd
            else:
                os.close(pidfd)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, KeyError, TypeError, OSError):
            pass  # bubblewrap ended before it had a sandbox: there is nothing but bubblewrap to kill
        finally:
            transport.close()

    async def _read_logs(self) -> None:
        assert self._proc.stderr is not None
        cap = self._policy.max_output_bytes
        while chunk := await self._proc.stderr.read(_LOG_CHUNK):
            room = cap - len(self._logs)
            if len(chunk) > room:
                self._logs += chunk[:room]
                self._overflow.set()
                return
            self._logs += chunk

    async def run(self, code: str, inputs: Mapping[str, Any]) -> SandboxResult:
        """Run `main(inputs)` from `code`; a SandboxError says why it gave no result."""
        try:
            job = json.dumps({"code": code, "inputs": inputs}, ensure_ascii=False, allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            self.kill()
            raise CodeFailed(f"custom code inputs are not JSON: {exc}") from None
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._policy.wall_seconds):
                line = await self._exchange(job)
        except TimeoutError:
            raise CodeTimeout(f"custom code ran past its time limit ({self._policy.wall_seconds:g} s)") from None
        finally:
            self.kill()
        value = self._verdict(line)
        # What the code printed before its verdict is in the pipe; the pipe ends with the sandbox.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1.0):
                await asyncio.shield(self._log_task)
        duration_ms = (time.perf_counter() - started) * 1000
        return SandboxResult(value, self._logs.decode(errors="replace"), duration_ms, self.warm)

    async def _exchange(self, job: bytes) -> bytes:
        """Send the job, then the verdict line; the output cap or the process's end may come first."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(job)
            await self._proc.stdin.drain()
            self._proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            raise await self._ended() from None
        verdict = asyncio.ensure_future(self._proc.stdout.readuntil(b"\n"))
        overflow = asyncio.ensure_future(self._overflow.wait())
        try:
            await asyncio.wait((verdict, overflow), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (verdict, overflow):
                task.cancel()
        if self._overflow.is_set():
            raise CodeLimitExceeded(Limit.OUTPUT, f"custom code printed more than {self._policy.max_output_bytes:,} bytes")
        try:
            return verdict.result()
        except asyncio.IncompleteReadError:
            raise await self._ended() from None
        except asyncio.LimitOverrunError:
            raise CodeLimitExceeded(
                Limit.OUTPUT, f"custom code returned more than {self._policy.max_output_bytes:,} bytes of JSON") from None

    async def _ended(self) -> SandboxError:
        """Why the sandbox ended without a verdict, from its exit status."""
        await self._proc.wait()
        status = self._proc.returncode or 0
        if status > 128:
            number = status - 128
            if number == signal.SIGXCPU:
                return CodeTimeout(f"custom code used up its CPU time ({self._policy.cpu_seconds} s)")
            if number == signal.SIGKILL:
                return CodeTimeout(f"custom code was killed (SIGKILL) past its CPU time limit ({self._policy.cpu_seconds} s)")
            with contextlib.suppress(ValueError):
                return CodeFailed(f"custom code's process died of {signal.Signals(number).name}")
        return CodeFailed(f"custom code's process exited (status {status}) without returning from main")

    def _verdict(self, line: bytes) -> dict[str, Any]:
        try:
            verdict = json.loads(line)
            ok, kind = verdict["ok"], verdict.get("kind")
            message = shorten(str(verdict.get("message", "")), _MAX_MESSAGE)
        except (ValueError, KeyError, TypeError):
            raise CodeFailed("custom code's sandbox sent an unreadable result") from None
        if ok is True and isinstance(verdict.get("result"), dict):
            result: dict[str, Any] = verdict["result"]
            return result
        policy = self._policy
        if kind == "memory":
            raise CodeLimitExceeded(Limit.MEMORY, f"custom code ran out of memory (limit {policy.memory_mb} MB)")
        if kind == "processes":
            raise CodeLimitExceeded(
                Limit.PROCESSES, f"custom code {message} (limit: {policy.max_processes} processes and threads)")
        if kind == "file_size":
            raise CodeLimitExceeded(Limit.FILE_SIZE, f"custom code {message} ({policy.max_file_bytes:,} bytes)")
        if kind == "disk":
            raise CodeLimitExceeded(Limit.DISK, f"custom code {message} ({policy.tmp_bytes:,} bytes)")
        raise CodeFailed(f"custom code failed: {message}")

    def kill(self) -> None:
        """Kill the sandbox, every process in it, now (`discard` then reaps it). Idempotent once
        the sandbox's init is known (always, after `start`); before, `discard` finds it first."""
        if self._killed or self._pidfd is None:
            return
        self._killed = True
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)

    async def discard(self) -> None:
        """Kill the sandbox and reap bubblewrap. Idempotent; never waits without a bound."""
        if self._discarded:
            return
        self._discarded = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                await asyncio.shield(self._init)
        self.kill()
        if not self._killed and self._proc.returncode is None:  # no sandbox was made: bubblewrap alone
            self._killed = True
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
        try:
            async with asyncio.timeout(EXIT_TIMEOUT_SECONDS):
                await self._proc.wait()
                await asyncio.shield(self._log_task)
        except TimeoutError:
            log.warning("custom code: sandbox %d did not end %g s after it was killed", self._proc.pid,
                        EXIT_TIMEOUT_SECONDS)
        finally:
            self._init.cancel()
            self._log_task.cancel()
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None

    @property
    def alive(self) -> bool:
        return not self._killed and self._proc.returncode is None


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            text = stat.read()
    except OSError:
        return None
    return int(text[text.rindex(")") + 2:].split()[1])
