"""The two backends of seed 002's execution modes as real HTTP fakes — a local Ollama (eco) and
OpenRouter (fast, key required) — and Services whose providers point at them; a flow run through
a real server (`run_served`), or refused by it (`refused_by_server`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.providers.settings import ProviderSettings
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.errors import field_violations
from flowexec.v1 import events_pb2, flow_service_pb2
from tests.fakes.fake_ollama import FakeOllama
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import TEST_KEYS
from tests.fixtures.servers import StartServer

OPENROUTER_KEY = TEST_KEYS["openrouter"]


@pytest.fixture
async def ollama() -> AsyncIterator[FakeOllama]:
    async with FakeOllama() as server:
        yield server


@pytest.fixture
async def openrouter() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(accepted_keys={OPENROUTER_KEY}) as server:
        yield server


def mode_settings(ollama: FakeOllama, openrouter: FakeOpenAI, **overrides: Any) -> ProviderSettings:
    return ProviderSettings.explicit(ollama_base_url=f"{ollama.url}/v1", openrouter_base_url=f"{openrouter.url}/api/v1",
                                     openrouter_api_key=OPENROUTER_KEY, provider_initial_backoff=0.01,
                                     provider_timeout=5.0, **overrides)


@pytest.fixture
async def mode_services(ollama: FakeOllama, openrouter: FakeOpenAI) -> AsyncIterator[Services]:
    """Services with Ollama and OpenRouter at the fakes, the shipped task table and examples."""
    services = Services.from_settings(mode_settings(ollama, openrouter))
    try:
        yield services
    finally:
        await services.aclose()


async def run_served(start_server: StartServer, services: Services,
                     request: flow_service_pb2.ExecuteFlowRequest) -> list[events_pb2.NodeEvent]:
    """`request` run to its end through a real server running `services`; every event."""
    target = await start_server(Engine(builtin_registry(), services))
    async with FlowClient(target) as client:
        return [event async for event in client.execute_flow(request, timeout=30)]


async def refused_by_server(start_server: StartServer, services: Services,
                            request: flow_service_pb2.ExecuteFlowRequest) -> list[tuple[str, str]]:
    """`request` sent to a real server running `services`, which refuses it before any event:
    INVALID_ARGUMENT with its field violations (field, description)."""
    target = await start_server(Engine(builtin_registry(), services))
    async with FlowClient(target) as client:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _ in client.execute_flow(request, timeout=30):
                pytest.fail("an event arrived for a refused request")
    assert info.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    return field_violations(info.value)


def steps(events: list[events_pb2.NodeEvent], node_id: str) -> list[tuple[int, str, str, str]]:
    """(index, name, state, text) of a node's NodeStep events, in order."""
    return [(e.node_step.index, e.node_step.name, events_pb2.StepState.Name(e.node_step.state).removeprefix("STEP_STATE_"),
             e.node_step.text) for e in events if e.HasField("node_step") and e.node_step.node_id == node_id]


def deltas(events: list[events_pb2.NodeEvent], node_id: str) -> str:
    return "".join(e.text_delta.chunk for e in events if e.HasField("text_delta") and e.text_delta.node_id == node_id)


def final_status(events: list[events_pb2.NodeEvent], node_id: str) -> events_pb2.NodeStatusChanged:
    return [e.node_status for e in events if e.HasField("node_status") and e.node_status.node_id == node_id][-1]
