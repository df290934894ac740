"""Bearer-token authentication when FLOWEXEC_AUTH_JWT_SECRET is set."""

from __future__ import annotations

import time

import grpc
import jwt
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from flowexec.client import FlowClient
from tests.builders import pb_node, pb_request

SECRET = "test-secret-for-flowexec-auth-0123456789"
REQUEST = pb_request([pb_node("o", "textOutput")], [])


def token(**claims: object) -> str:
    return jwt.encode({"sub": "user-1", "exp": int(time.time()) + 60, **claims}, SECRET, algorithm="HS256")


async def run(target: str, bearer: str | None) -> list:
    metadata = [("authorization", f"Bearer {bearer}")] if bearer is not None else []
    async with FlowClient(target, metadata=metadata) as client:
        return [e async for e in client.execute_flow(REQUEST)]


@pytest.fixture
async def target(start_server) -> str:
    return await start_server(auth_jwt_secret=SECRET, auth_jwt_audience="flowexec")


async def test_valid_token_runs(target: str) -> None:
    events = await run(target, token(aud="flowexec"))
    assert events[-1].HasField("run_completed")


@pytest.mark.parametrize(("bearer", "reason"), [
    (None, "missing bearer token"),
    ("not-a-jwt", "invalid token"),
    (jwt.encode({"exp": int(time.time()) + 60, "aud": "flowexec"}, "another-secret-for-flowexec-0123456789", algorithm="HS256"),
     "invalid token: InvalidSignatureError"),
    (jwt.encode({"exp": int(time.time()) - 10, "aud": "flowexec"}, SECRET, algorithm="HS256"), "token expired"),
    (jwt.encode({"aud": "flowexec"}, SECRET, algorithm="HS256"), "invalid token: MissingRequiredClaimError"),
    (jwt.encode({"exp": int(time.time()) + 60, "aud": "someone-else"}, SECRET, algorithm="HS256"),
     "invalid token: InvalidAudienceError"),
])
async def test_bad_or_missing_token_is_unauthenticated(target: str, bearer: str | None, reason: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await run(target, bearer)
    assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details().startswith(reason)
    assert SECRET not in info.value.details()


async def test_health_stays_open(target: str) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_auth_is_off_by_default(start_server) -> None:
    events = await run(await start_server(), None)
    assert events[-1].HasField("run_completed")
