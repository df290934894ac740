"""Fixtures for every test, from modules named for what they hold (tests/fixtures/):
real servers on port 0 and clients (`start_server`, `engine`, `client`), the fake vendors
(`fake_openai`, `fake_anthropic`, `fake_hf`, `fake_glm`, `fake_fireworks`, `services`; `fake_comfyui`
and `comfy_services`), the server's captured log (`server_log`), a real PostgreSQL (`postgres`,
`postgres_url`), and `flowexec serve` as a process of its own (`served`; `flowexec_serve` for
async tests)."""

import os
from collections.abc import Callable

import pytest

pytest_plugins = [
    "tests.fixtures.servers",
    "tests.fixtures.fake_vendors",
    "tests.fixtures.server_log",
    "tests.fixtures.postgres",
    "tests.fixtures.serve_process",
    "tests.fixtures.db_proxy",
]


if os.environ.get("FLOWEXEC_EVENT_LOOP", "asyncio") == "uvloop":
    # The suite on uvloop (the server's setting of the same name): how grpc.aio and the in-process
    # servers are checked on it. Unset, pytest-asyncio's own loop runs everything.
    import uvloop

    def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], object]]:
        return {"uvloop": uvloop.new_event_loop}
