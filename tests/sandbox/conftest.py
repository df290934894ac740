"""Sandbox fixtures: bubblewrap present (scripts/ensure_bubblewrap.sh installs it; scripts/test.sh
runs that first), a CodeSandbox with short limits, and a look at the processes it leaves."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from execution.sandbox import CodeSandbox, SandboxSettings

# Short limits keep the escape tests quick; memory stays at the seed's 100 MB.
TEST_LIMITS = {"max_cpu_seconds": 1, "timeout_seconds": 4.0, "max_output_bytes": 1024 * 1024}


@pytest.fixture(scope="session", autouse=True)
def bwrap_installed() -> None:
    if shutil.which("bwrap") is None:
        pytest.fail("bubblewrap (bwrap) is missing: run scripts/ensure_bubblewrap.sh (scripts/test.sh does)")


def sandbox_settings(**overrides: object) -> SandboxSettings:
    return SandboxSettings.explicit(**{"allow_custom_code": True, **TEST_LIMITS, **overrides})


@pytest.fixture
async def sandbox() -> AsyncIterator[CodeSandbox]:
    box = CodeSandbox(sandbox_settings(warm_workers=1))
    await box.start()
    try:
        yield box
    finally:
        await box.aclose()


def descendants(pid: int) -> list[int]:
    """Every live process below `pid` (by parent links in /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def no_stray_processes() -> Iterator[None]:
    """The test leaves no process of its own behind (sandboxes included)."""
    before = set(descendants(os.getpid()))
    yield
    left = set(descendants(os.getpid())) - before
    assert not left, f"processes left behind: {sorted(left)}"
