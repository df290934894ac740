"""Run tests: real servers on port 0 over a run store the test chooses, clients over real channels.

`run_store` is the store every server of a test shares (a restart is a second server on the
same store). Persistence off today; the SQL stores join by parametrizing this one fixture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.runs import RunPolicy
from execution.store.base import RunStore
from execution.store.memory import MemoryRunStore
from server.app import FlowexecServer
from server.settings import ServerSettings
from tests.runs.runs_client import Runs

Serve = Callable[..., Awaitable[FlowexecServer]]


@pytest.fixture
async def run_store() -> AsyncIterator[RunStore]:
    store = MemoryRunStore()
    yield store
    await store.close()


@pytest.fixture
async def serve(run_store: RunStore) -> AsyncIterator[Serve]:
    """Factory: `server = await serve(engine=None, store=None, policy=None, **settings)`; every
    server is stopped (grace 0) when the test ends."""
    started: list[FlowexecServer] = []

    async def start(engine: Engine | None = None, *, store: RunStore | None = None, policy: RunPolicy | None = None,
                    **settings: Any) -> FlowexecServer:
        engine = engine or Engine(builtin_registry(diagnostic_nodes=True))
        server = FlowexecServer(engine, ServerSettings(host="127.0.0.1", port=0, _env_file=None, **settings),
                                run_store if store is None else store, policy)
        await server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        await server.stop(grace=0)


@pytest.fixture
async def runs(serve: Serve) -> AsyncIterator[Runs]:
    """A client of a fresh server (diagnostic nodes on)."""
    server = await serve()
    async with Runs(server.target) as client:
        yield client
