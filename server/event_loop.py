"""Which event loop runs the server: asyncio's own (the default) or uvloop (FLOWEXEC_EVENT_LOOP).

uvloop is a dependency except on Windows (it has no build there). grpc.aio runs on it: the
server, provider and run-store suites pass with the suite's own loop switched to it
(FLOWEXEC_EVENT_LOOP=uvloop in the test environment, tests/conftest.py), and a `flowexec serve`
started with the setting serves flows and drains on SIGTERM (tests/server/test_event_loop.py).
Its effect on the CPU a run costs is in bench/README.md (figure 4). Asked for and not installed,
the server refuses to start with one line saying so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from enum import StrEnum
from typing import Any, TypeVar

T = TypeVar("T")


class EventLoop(StrEnum):
    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"


class EventLoopUnavailable(Exception):
    """uvloop was asked for and is not installed."""


def loop_factory(kind: EventLoop) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The factory of `kind`'s loops; None: asyncio's default."""
    if kind is EventLoop.ASYNCIO:
        return None
    try:
        import uvloop
    except ImportError as err:
        raise EventLoopUnavailable(
            "FLOWEXEC_EVENT_LOOP=uvloop needs uvloop, which is not installed (it has no Windows build)") from err
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T], kind: EventLoop) -> T:
    """asyncio.run on a loop of `kind`."""
    with asyncio.Runner(loop_factory=loop_factory(kind)) as runner:
        return runner.run(main)
