"""CodeSandbox through its own API: the entry point, JSON in and out, prints, typed failures
(each with its reason and retryable flag), workers used once, cancellation, and the feature
refusing to run where it is off or where bubblewrap cannot work."""

from __future__ import annotations

import asyncio
import os

import pytest

from execution.events import StatusReason
from execution.sandbox import (
    CodeFailed,
    CodeLimitExceeded,
    CodeSandbox,
    CodeTimeout,
    Limit,
    SandboxUnavailable,
)
from tests.sandbox.conftest import descendants, sandbox_settings

ADD = """
def main(inputs):
    print("adding", inputs["a"], "and", inputs["b"])
    return {"sum": inputs["a"] + inputs["b"], "echo": inputs}
"""


async def test_main_receives_the_inputs_and_returns_a_json_object(sandbox: CodeSandbox) -> None:
    inputs = {"a": 2, "b": 40, "nested": {"list": [1, "two", None, True], "text": "ünïcode ✓"}}
    result = await sandbox.run(ADD, inputs)
    assert result.value == {"sum": 42, "echo": inputs}
    assert result.logs == "adding 2 and 40\n"


async def test_a_warm_worker_serves_one_job_only(sandbox: CodeSandbox) -> None:
    leaves_a_mark = """
import os
def main(inputs):
    seen = os.path.exists("/tmp/mark")
    open("/tmp/mark", "w").write("x")
    return {"seen": seen, "pid": os.getpid()}
"""
    await sandbox.wait_warm()
    first = await sandbox.run(leaves_a_mark, {})
    await sandbox.wait_warm()
    second = await sandbox.run(leaves_a_mark, {})
    assert first.warm and second.warm
    # A fresh /tmp each time: the second job did not get the first one's sandbox.
    assert first.value["seen"] is False and second.value["seen"] is False


@pytest.mark.parametrize(("code", "message"), [
    ("def main(inputs):\n    return {'x': 1 / 0}\n", "custom code failed: ZeroDivisionError: division by zero (line 2, in main)"),
    ("def main(inputs):\n    raise ValueError('bad value')\n", "ValueError: bad value (line 2, in main)"),
    ("x = 1\n", "the code defines no function main(inputs)"),
    ("def main(inputs)\n    return {}\n", "SyntaxError: expected ':' (line 1)"),
    ("def main(inputs):\n    return [1, 2]\n", "main returned list; it must return a dict (a JSON object)"),
    ("def main(inputs):\n    return {'s': {1, 2}}\n", "main's result is not JSON: TypeError: Object of type set"),
    ("def main(inputs):\n    return {'n': float('nan')}\n", "main's result is not JSON: ValueError"),
    ("import sys\ndef main(inputs):\n    sys.exit(3)\n", "called exit(3) instead of returning from main (line 3, in main)"),
    ("import os\ndef main(inputs):\n    os._exit(7)\n", "custom code's process exited (status 7) without returning from main"),
    ("import os, signal\ndef main(inputs):\n    os.kill(os.getpid(), signal.SIGSEGV)\n",
     "custom code's process died of SIGSEGV"),
])
async def test_code_that_fails_ends_with_what_it_did(sandbox: CodeSandbox, code: str, message: str) -> None:
    with pytest.raises(CodeFailed) as caught:
        await sandbox.run(code, {})
    assert message in caught.value.message
    assert (caught.value.reason, caught.value.retryable) == (StatusReason.INVALID_INPUT, False)


async def test_cpu_time_and_wall_clock_limits_are_timeouts(sandbox: CodeSandbox) -> None:
    with pytest.raises(CodeTimeout) as spinning:
        await sandbox.run("def main(inputs):\n    while True:\n        pass\n", {})
    assert spinning.value.message == "custom code used up its CPU time (1 s)"
    with pytest.raises(CodeTimeout) as sleeping:
        await sandbox.run("import time\ndef main(inputs):\n    time.sleep(60)\n", {})
    assert sleeping.value.message == "custom code ran past its time limit (4 s)"
    assert (sleeping.value.reason, sleeping.value.retryable) == (StatusReason.TIMEOUT, False)


@pytest.mark.parametrize(("code", "limit", "message"), [
    ("def main(inputs):\n    hog = bytearray(500 * 1024 * 1024)\n", Limit.MEMORY,
     "custom code ran out of memory (limit 100 MB)"),
    ("def main(inputs):\n    hog = []\n    while True:\n        hog.append(' ' * 100_000)\n", Limit.MEMORY,
     "custom code ran out of memory (limit 100 MB)"),
    ("def main(inputs):\n    open('/tmp/big', 'wb').write(b'x' * (9 * 1024 * 1024))\n", Limit.FILE_SIZE,
     "custom code wrote a file past the size limit (line 2, in main) (8,388,608 bytes)"),
    ("def main(inputs):\n    for i in range(8):\n        open(f'/tmp/f{i}', 'wb').write(b'x' * (4 * 1024 * 1024))\n",
     Limit.DISK, "custom code filled its temporary directory (line 3, in main) (16,777,216 bytes)"),
    ("def main(inputs):\n    return {'big': 'x' * (2 * 1024 * 1024)}\n", Limit.OUTPUT,
     "custom code returned more than 1,048,576 bytes of JSON"),
    ("import threading, time\ndef main(inputs):\n    while True:\n"
     "        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()\n",
     Limit.PROCESSES, "custom code could not start another thread (line 4, in main) (limit: 16 processes and threads)"),
])
async def test_limits_end_the_job_with_the_limit_named(sandbox: CodeSandbox, code: str, limit: Limit,
                                                      message: str) -> None:
    with pytest.raises(CodeLimitExceeded) as caught:
        await sandbox.run(code, {})
    assert (caught.value.limit, caught.value.message) == (limit, message)
    assert (caught.value.reason, caught.value.retryable) == (StatusReason.INVALID_INPUT, False)


async def test_cancelling_a_job_kills_its_sandbox(no_stray_processes: None) -> None:
    box = CodeSandbox(sandbox_settings(warm_workers=0, timeout_seconds=60.0))
    await box.start()
    job = asyncio.create_task(box.run("import time\ndef main(inputs):\n    time.sleep(60)\n", {}))
    while not descendants(os.getpid()):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    await box.aclose()


async def test_custom_code_is_refused_when_off() -> None:
    off = CodeSandbox(sandbox_settings(allow_custom_code=False))
    await off.start()  # nothing to start
    with pytest.raises(SandboxUnavailable) as caught:
        await off.run(ADD, {"a": 1, "b": 2})
    assert "custom code is off on this server (ALLOW_CUSTOM_CODE=true turns it on" in caught.value.message
    assert caught.value.reason == StatusReason.NOT_CONFIGURED


async def test_custom_code_refuses_to_start_without_a_working_bubblewrap(tmp_path: object) -> None:
    missing = CodeSandbox(sandbox_settings(bwrap="/nonexistent/bwrap"))
    with pytest.raises(SandboxUnavailable) as caught:
        await missing.start()
    assert "its sandbox does not work here (bubblewrap: /nonexistent/bwrap" in caught.value.message
    assert caught.value.message.endswith("/nonexistent/bwrap is not an installed program")
    # Every later job gets the same answer; nothing runs unsandboxed.
    with pytest.raises(SandboxUnavailable):
        await missing.run(ADD, {"a": 1, "b": 2})

    broken = CodeSandbox(sandbox_settings(bwrap="/bin/false"))
    with pytest.raises(SandboxUnavailable) as failed:
        await broken.start()
    assert "the sandbox did not start (exit status 1)" in failed.value.message
