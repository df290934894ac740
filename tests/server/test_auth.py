"""Bearer-token authentication when FLOWEXEC_AUTH_JWT_SECRET is set: FlowService and reflection
need a token, health checking does not, and the secret itself is masked wherever it could show."""

from __future__ import annotations

import asyncio
import time

import grpc
import jwt
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, flow_service_pb2
from tests.builders import pb_node, pb_request
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_script import Reply
from tests.fixtures.servers import StartServer
from tests.statuses import final_statuses

SECRET = "test-secret-for-flowexec-auth-0123456789"
REQUEST = pb_request([pb_node("o", "textOutput")], [])


def token(**claims: object) -> str:
    return jwt.encode({"sub": "user-1", "exp": int(time.time()) + 60, **claims}, SECRET, algorithm="HS256")


def bearer(value: str | None) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {value}")] if value is not None else []


async def run(target: str, bearer_token: str | None,
              request: flow_service_pb2.ExecuteFlowRequest = REQUEST) -> list[events_pb2.NodeEvent]:
    async with FlowClient(target, metadata=bearer(bearer_token)) as client:
        return [e async for e in client.execute_flow(request)]


async def list_services(target: str, bearer_token: str | None) -> list[str]:
    """The services server reflection lists (what grpcurl's `list` asks)."""
    async with grpc.aio.insecure_channel(target) as channel:
        call = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(metadata=bearer(bearer_token))
        await call.write(reflection_pb2.ServerReflectionRequest(list_services=""))
        await call.done_writing()
        reply = await call.read()
        assert reply is not grpc.aio.EOF, f"reflection ended with {await call.code()}"
        return [service.name for service in reply.list_services_response.service]


@pytest.fixture
async def target(start_server: StartServer) -> str:
    return await start_server(auth_jwt_secret=SECRET, auth_jwt_audience="flowexec")


async def test_valid_token_runs(target: str) -> None:
    events = await run(target, token(aud="flowexec"))
    assert events[-1].HasField("run_completed")


# Made when the module is collected: the valid-looking ones must still be unexpired when the test
# runs, however long the suite before it takes.
@pytest.mark.parametrize(("bearer_token", "reason"), [
    (None, "missing bearer token"),
    ("not-a-jwt", "invalid token"),
    (jwt.encode({"exp": int(time.time()) + 86400, "aud": "flowexec"}, "another-secret-for-flowexec-0123456789",
                algorithm="HS256"),
     "invalid token: InvalidSignatureError"),
    (jwt.encode({"exp": int(time.time()) - 10, "aud": "flowexec"}, SECRET, algorithm="HS256"), "token expired"),
    (jwt.encode({"aud": "flowexec"}, SECRET, algorithm="HS256"), "invalid token: MissingRequiredClaimError"),
    (jwt.encode({"exp": int(time.time()) + 86400, "aud": "someone-else"}, SECRET, algorithm="HS256"),
     "invalid token: InvalidAudienceError"),
])
async def test_bad_or_missing_token_is_unauthenticated(target: str, bearer_token: str | None, reason: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await run(target, bearer_token)
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details().startswith(reason)


async def test_health_stays_open(target: str) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_reflection_needs_a_token(target: str) -> None:
    """Reflection describes the whole server: under auth, an anonymous caller learns nothing."""
    for refused in (None, "not-a-jwt"):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await list_services(target, refused)
        assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "flowexec.v1.FlowService" in await list_services(target, token(aud="flowexec"))


async def test_a_refused_streaming_call_ends_before_it_sends_anything(target: str) -> None:
    # The refusal has the method's shape: a bidi call is refused at once, not after a first message.
    async with grpc.aio.insecure_channel(target) as channel, asyncio.timeout(5):
        call = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo()
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await call.read()
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_the_jwt_secret_is_masked_in_replies_and_errors(
        start_server: StartServer, services: Services, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic) -> None:
    # A vendor that echoes the secret (split across chunks) and one whose error text quotes it:
    # the secret is the server's like an API key, and is masked wherever node text can carry it.
    fake_openai.queue(Reply(chunks=(f"The keeper whispers {SECRET[:12]}", f"{SECRET[12:]} into the storm.")))
    fake_anthropic.queue(Reply.error(400, f"credential {SECRET} is not accepted here"))
    target = await start_server(Engine(builtin_registry(), services), auth_jwt_secret=SECRET)
    events = await run(target, token(), pb_request([pb_node("echo", "storyTeller", idea="a key"),
                                                    pb_node("fails", "storyTeller", idea="a key", providerId="claude")],
                                                   []))
    deltas = "".join(e.text_delta.chunk for e in events if e.HasField("text_delta") and e.text_delta.node_id == "echo")
    assert deltas == events[-1].run_completed.outputs["echo"].text == "The keeper whispers [redacted] into the storm."
    failed = final_statuses(events)["fails"]
    assert failed.status == events_pb2.NODE_STATUS_ERROR and "credential [redacted] is not accepted" in failed.message
    assert not [i for i in range(len(SECRET) - 7) if SECRET[i:i + 8] in str(events)]


async def test_auth_is_off_by_default(start_server: StartServer) -> None:
    events = await run(await start_server(), None)
    assert events[-1].HasField("run_completed")
