"""With auth on, a token's `sub` owns the runs it starts; another user's run does not exist for
every RPC (NOT_FOUND, never PERMISSION_DENIED)."""

from __future__ import annotations

import time

import grpc
import jwt
import pytest

from flowexec.v1 import runs_pb2
from tests.builders import pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import Runs

SECRET = "ownership-test-secret-0123456789abcdef"


def token(**claims: object) -> str:
    return jwt.encode({"exp": int(time.time()) + 600, **claims}, SECRET, algorithm="HS256")


async def not_found(call: object) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]
    assert info.value.code() is grpc.StatusCode.NOT_FOUND, info.value


async def test_each_user_sees_only_their_runs_in_every_rpc(serve: Serve) -> None:
    server = await serve(auth_jwt_secret=SECRET)
    async with Runs(server.target, token(sub="ann")) as ann, Runs(server.target, token(sub="bob")) as bob:
        flow = pb_request([pb_node("n", "diag.delay", seconds=0.05, text="hi")], [])
        anns = await ann.start(flow, key="same-key")
        bobs = await bob.start(flow, key="same-key")  # keys are per user: a run of bob's own
        assert anns.run_id != bobs.run_id and (anns.owner, bobs.owner) == ("ann", "bob")
        executed = [e async for r in ann.execute(flow) for e in r.events]  # ExecuteFlow's run is ann's too
        anns_executed = executed[0].run_id
        await ann.watch(anns.run_id)

        for run_id in (anns.run_id, anns_executed):
            await not_found(bob.get(run_id))
            await not_found(bob.watch(run_id))
            await not_found(bob.cancel(run_id))
            await not_found(bob.resume(run_id))
        assert {r.run_id for r in (await bob.list()).runs} == {bobs.run_id}
        assert {r.run_id for r in (await ann.list()).runs} == {anns.run_id, anns_executed}
        # bob's attempts changed nothing of ann's, and she reaches all of it.
        assert (await ann.get(anns.run_id)).state == runs_pb2.RUN_STATE_SUCCEEDED
        assert (await ann.resume(anns.run_id)).parent_run_id == anns.run_id

        # A live run is as invisible as a finished one.
        slow = await ann.start(pb_request([pb_node("s", "diag.delay", seconds=30)], []))
        await not_found(bob.watch(slow.run_id))
        await not_found(bob.cancel(slow.run_id))
        assert (await ann.get(slow.run_id)).state == runs_pb2.RUN_STATE_RUNNING
        await ann.cancel(slow.run_id)


async def test_a_token_without_a_subject_is_refused_on_every_method(serve: Serve) -> None:
    server = await serve(auth_jwt_secret=SECRET)
    async with Runs(server.target, token()) as nobody:
        for call in (nobody.list(), nobody.get("0" * 32), nobody.watch("0" * 32)):
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await call
            assert info.value.code() is grpc.StatusCode.UNAUTHENTICATED
            assert "no subject" in info.value.details()


async def test_with_auth_off_every_run_is_the_local_owners(runs: Runs) -> None:
    run = await runs.start(pb_request([pb_node("t", "textOutput")], []))
    assert run.owner == "local"
    assert [r.owner for r in (await runs.list()).runs] == ["local"]
