"""Shared fixtures: a real flowexec server on 127.0.0.1:0 and a client over a real channel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from flowexec.client import FlowClient
from server.app import FlowexecServer
from server.settings import ServerSettings

StartServer = Callable[..., Awaitable[str]]


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    """Factory: `target = await start_server(engine, **settings)` → "127.0.0.1:PORT".

    Without an engine, the default registry plus the diag.* nodes is used. Every server
    started is stopped (grace 0) when the test ends.
    """
    started: list[FlowexecServer] = []

    async def start(engine: Engine | None = None, **settings: Any) -> str:
        engine = engine or Engine(builtin_registry(diagnostic_nodes=True))
        server = FlowexecServer(engine, ServerSettings(host="127.0.0.1", port=0, _env_file=None, **settings))
        await server.start()
        started.append(server)
        return server.target

    yield start
    for server in started:
        await server.stop(grace=0)


@pytest.fixture
def engine() -> Engine:
    return Engine(builtin_registry(diagnostic_nodes=True))


@pytest.fixture
async def client(start_server: StartServer, engine: Engine) -> AsyncIterator[FlowClient]:
    """A client connected to a fresh server running `engine`."""
    async with FlowClient(await start_server(engine)) as flow_client:
        yield flow_client
