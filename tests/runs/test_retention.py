"""Retention: finished runs older than the configured age are deleted; live runs are not."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from flowexec.v1 import runs_pb2
from tests.builders import pb_node, pb_request
from tests.runs.conftest import Serve
from tests.runs.runs_client import Runs


async def test_finished_runs_past_retention_are_deleted(serve: Serve) -> None:
    server = await serve(run_retention_seconds=0.3, retention_check_seconds=0.05)
    async with Runs(server.target) as runs:
        done = await runs.start(pb_request([pb_node("t", "textOutput")], []))
        await runs.watch(done.run_id)
        going = await runs.start(pb_request([pb_node("s", "diag.delay", seconds=30)], []))
        await asyncio.sleep(0.6)
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await runs.get(done.run_id)
        assert info.value.code() is grpc.StatusCode.NOT_FOUND
        assert (await runs.get(going.run_id)).state == runs_pb2.RUN_STATE_RUNNING
        assert [r.run_id for r in (await runs.list()).runs] == [going.run_id]
        await runs.cancel(going.run_id)


async def test_retention_zero_keeps_runs(serve: Serve) -> None:
    server = await serve(run_retention_seconds=0, retention_check_seconds=0.05)
    async with Runs(server.target) as runs:
        done = await runs.start(pb_request([pb_node("t", "textOutput")], []))
        await runs.watch(done.run_id)
        await asyncio.sleep(0.2)
        assert (await runs.get(done.run_id)).state == runs_pb2.RUN_STATE_SUCCEEDED
