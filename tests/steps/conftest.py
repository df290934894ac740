"""Seed 003's step types through a real server: a custom_script endpoint (FakeScript, a real
HTTP server), Services whose custom_script policy a test chooses, and helpers that read a run's
events per node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from execution.custom_script.client import ScriptClient
from execution.custom_script.settings import CustomScriptSettings
from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.providers.settings import ProviderSettings
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2
from tests.fakes.fake_script import FakeScript
from tests.fixtures.servers import StartServer

TOKEN = "script-token-0123456789abcdef"


@pytest.fixture
async def script() -> AsyncIterator[FakeScript]:
    async with FakeScript() as server:
        yield server


def script_services(**settings: Any) -> Services:
    """Services whose custom_script policy is `settings` (CustomScriptSettings field names)."""
    policy = CustomScriptSettings.explicit(**settings).policy()
    return Services.from_settings(ProviderSettings.explicit(), custom_script=ScriptClient(policy))


async def run_served(start_server: StartServer, services: Services,
                     request: flow_service_pb2.ExecuteFlowRequest) -> list[events_pb2.NodeEvent]:
    """`request` run to its end through a real server running `services`; every event. The
    services are closed afterwards."""
    try:
        target = await start_server(Engine(builtin_registry(), services))
        async with FlowClient(target) as client:
            return [event async for event in client.execute_flow(request, timeout=30)]
    finally:
        await services.aclose()


def final_status(events: list[events_pb2.NodeEvent], node_id: str) -> events_pb2.NodeStatusChanged:
    return [e.node_status for e in events if e.HasField("node_status") and e.node_status.node_id == node_id][-1]


def statuses(events: list[events_pb2.NodeEvent], node_id: str) -> list[events_pb2.NodeStatusChanged]:
    return [e.node_status for e in events if e.HasField("node_status") and e.node_status.node_id == node_id]


def produced(events: list[events_pb2.NodeEvent], node_id: str) -> graph_pb2.NodeOutput:
    [out] = [e.node_output.output for e in events if e.HasField("node_output") and e.node_output.node_id == node_id]
    return out


def reason(status: events_pb2.NodeStatusChanged) -> str:
    return events_pb2.StatusReason.Name(status.reason).removeprefix("STATUS_REASON_")
