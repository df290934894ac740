"""Escape attempts from a custom_code node, each run through the real gRPC server in a flow with
an independent branch, a second (well-behaved) custom_code node and a node downstream of the
attacker. Each attack must end its own node with a clear reason and do nothing else: the
downstream node is SKIPPED, everything else COMPLETEs, and nothing outside the sandbox changed
(the listener heard nothing, the host file does not exist, no process is left)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from execution.engine import Engine
from execution.nodes.builtin import builtin_registry
from execution.sandbox import CodeSandbox
from execution.services import Services
from flowexec.client import FlowClient
from flowexec.v1 import events_pb2, graph_pb2
from tests.builders import pb_edge, pb_node, pb_request
from tests.fixtures.servers import StartServer
from tests.sandbox.conftest import descendants, sandbox_settings
from tests.statuses import final_statuses

COMPLETE, ERROR, SKIPPED = events_pb2.NODE_STATUS_COMPLETE, events_pb2.NODE_STATUS_ERROR, events_pb2.NODE_STATUS_SKIPPED
INVALID_INPUT, TIMEOUT = events_pb2.STATUS_REASON_INVALID_INPUT, events_pb2.STATUS_REASON_TIMEOUT
# The edge's target handle (`text`) names the input the scene's text fills.
CALM = "def main(inputs):\n    return {'calm': inputs['text'].upper()}\n"


@pytest.fixture
async def box() -> AsyncIterator[CodeSandbox]:
    sandbox = CodeSandbox(sandbox_settings(warm_workers=1))
    try:
        yield sandbox
    finally:
        await sandbox.aclose()


@pytest.fixture
async def flow_client(start_server: StartServer, box: CodeSandbox) -> AsyncIterator[FlowClient]:
    async with FlowClient(await start_server(Engine(builtin_registry(), Services(sandbox=box)))) as client:
        yield client


async def sandbox_processes(box: CodeSandbox) -> list[str]:
    """The processes our sandboxes run, once the warm pool is full again and the finished
    sandboxes are reaped: exactly the pool's one waiting worker (bubblewrap, its init, the
    runner) when nothing was left behind."""
    await box.wait_warm()
    await asyncio.sleep(0.3)
    return sorted(_cmdline(pid).split(" ")[0] for pid in descendants(os.getpid()))


def pool_of_one(box: CodeSandbox) -> list[str]:
    assert box.command is not None
    return sorted([box.command.bwrap, box.command.bwrap, box.command.python])


def whole_output(source: str, target: str) -> graph_pb2.Edge:
    """An edge carrying its source's whole output (no source handle) into a text input."""
    return graph_pb2.Edge(id=f"{source}->{target}", source=source, target=target, target_handle="text")


async def run_attack(client: FlowClient, code: str) -> dict[str, events_pb2.NodeStatusChanged]:
    """The attack in its flow; returns the final statuses after checking the rest of the flow."""
    request = pb_request(
        [pb_node("seed", "sceneBuilder", mood="calm"),
         pb_node("attack", "custom_code", code=code), pb_node("after", "textOutput"),
         pb_node("calm", "custom_code", code=CALM), pb_node("out", "textOutput")],
        [pb_edge("seed", "attack"), whole_output("attack", "after"), pb_edge("seed", "calm"), whole_output("calm", "out")],
    )
    async with asyncio.timeout(60):
        events = [e async for e in client.execute_flow(request)]
    final = final_statuses(events)
    done = events[-1].run_completed
    assert final["after"].status == SKIPPED and final["after"].reason == events_pb2.STATUS_REASON_UPSTREAM_FAILED
    assert [final[n].status for n in ("seed", "calm", "out")] == [COMPLETE] * 3
    assert done.outputs["out"].text == "MOOD: CALM."
    return final


async def test_an_infinite_loop_ends_at_its_cpu_limit(flow_client: FlowClient) -> None:
    final = await run_attack(flow_client, "def main(inputs):\n    while True:\n        pass\n")
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, TIMEOUT)
    assert attack.message == "custom code used up its CPU time (1 s)" and not attack.retryable


async def test_a_memory_bomb_ends_at_its_memory_limit(flow_client: FlowClient) -> None:
    final = await run_attack(flow_client, "def main(inputs):\n    bomb = ['x' * 1024 * 1024 for _ in range(10_000)]\n")
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, INVALID_INPUT)
    assert attack.message == "custom code ran out of memory (limit 100 MB)"


async def test_a_fork_bomb_ends_at_its_process_limit_and_leaves_no_process(flow_client: FlowClient,
                                                                             box: CodeSandbox) -> None:
    final = await run_attack(flow_client, "import os\ndef main(inputs):\n    while True:\n        os.fork()\n")
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, INVALID_INPUT)
    assert attack.message == "custom code could not start another process (line 4, in main) (limit: 16 processes and threads)"
    assert await sandbox_processes(box) == pool_of_one(box)


async def test_a_fork_bomb_that_ignores_failures_ends_at_the_wall_clock_and_leaves_no_process(
        flow_client: FlowClient, box: CodeSandbox) -> None:
    code = ("import os, time\ndef main(inputs):\n    while True:\n        try:\n            if os.fork() == 0:\n"
            "                os.setsid()\n        except OSError:\n            time.sleep(0.01)\n")
    final = await run_attack(flow_client, code)
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, TIMEOUT)
    assert attack.message in ("custom code ran past its time limit (4 s)", "custom code used up its CPU time (1 s)")
    assert await sandbox_processes(box) == pool_of_one(box)


async def test_a_socket_to_the_host_reaches_nothing(flow_client: FlowClient) -> None:
    connections: list[object] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(await reader.read(100))
        writer.close()

    listener = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    async with listener:
        code = (f"import socket\ndef main(inputs):\n    with socket.create_connection(('127.0.0.1', {port}), timeout=2) as s:\n"
                "        s.sendall(b'escaped')\n    return {'connected': True}\n")
        final = await run_attack(flow_client, code)
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, INVALID_INPUT)
    assert attack.message == "custom code failed: ConnectionRefusedError: [Errno 111] Connection refused (line 3, in main)"
    assert connections == []


async def test_writing_outside_its_directory_fails_and_changes_nothing(flow_client: FlowClient, tmp_path: Path) -> None:
    for target, error in [(tmp_path / "escaped.txt", "FileNotFoundError: [Errno 2] No such file or directory"),
                          (Path("/usr/escaped.txt"), "OSError: [Errno 30] Read-only file system"),
                          (Path("/escaped.txt"), "OSError: [Errno 30] Read-only file system"),
                          (Path("/dev/shm/escaped.txt"), "OSError: [Errno 30] Read-only file system")]:
        final = await run_attack(flow_client, f"def main(inputs):\n    open({str(target)!r}, 'w').write('escaped')\n")
        attack = final["attack"]
        assert (attack.status, attack.reason) == (ERROR, INVALID_INPUT)
        assert attack.message.startswith(f"custom code failed: {error}: '{target}'"), attack.message
        assert not target.exists()


async def test_printing_100_mb_ends_at_the_output_cap(flow_client: FlowClient) -> None:
    final = await run_attack(flow_client, "def main(inputs):\n    for _ in range(100):\n        print('x' * 1024 * 1024)\n")
    attack = final["attack"]
    assert (attack.status, attack.reason) == (ERROR, INVALID_INPUT)
    assert attack.message == "custom code printed more than 1,048,576 bytes"


async def test_custom_code_is_not_configured_when_off(start_server: StartServer) -> None:
    async with FlowClient(await start_server(Engine(builtin_registry(), Services()))) as client:
        request = pb_request([pb_node("code", "custom_code", code=CALM)], [])
        events = [e async for e in client.execute_flow(request)]
    code = final_statuses(events)["code"]
    assert (code.status, code.reason) == (ERROR, events_pb2.STATUS_REASON_NOT_CONFIGURED)
    assert code.message.startswith("custom code is off on this server (ALLOW_CUSTOM_CODE=true turns it on")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


async def test_started_by_root_the_sandbox_runs_as_nobody(box: CodeSandbox) -> None:
    """As host root the kernel would not apply the process limit at all, and an escaped process
    would be root: bubblewrap and everything under it run as nobody (65534) instead."""
    await box.start()
    await box.wait_warm()
    pids = descendants(os.getpid())
    assert len(pids) == 3  # the waiting worker: bubblewrap, the sandbox's init, the runner
    expected = 65534 if os.geteuid() == 0 else os.geteuid()
    assert {Path(f"/proc/{pid}").stat().st_uid for pid in pids} == {expected}
