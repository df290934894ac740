"""custom_code in a real `flowexec serve` process: the server's environment (a provider key, a
secret of its own) never reaches user code, whatever it reads; and a server told to allow
custom code where the sandbox cannot work refuses to start, saying why."""

from __future__ import annotations

import json

from flowexec.client import FlowClient
from flowexec.v1 import events_pb2
from tests.builders import pb_node, pb_request
from tests.cli.commands import FLOWEXEC, ROOT, clean_env, run_command
from tests.fixtures.serve_process import flowexec_serve
from tests.statuses import final_statuses

SECRET = "s3cret-of-the-server-7f1c2a"
KEY = "sk-mistral-key-0a9b8c7d6e"

READ_EVERYTHING = """
import glob, os

def main(inputs):
    seen = {"environ": dict(os.environ), "ppid": os.getppid()}
    paths = ["/proc/%d/environ" % os.getppid(), "/proc/1/environ", "/proc/self/environ",
             "/proc/{server}/environ", *glob.glob("/proc/*/environ")]
    for path in paths:
        try:
            seen[path] = open(path, "rb").read().decode(errors="replace")
        except OSError as err:
            seen[path] = type(err).__name__
    return seen
"""


async def test_user_code_never_sees_the_servers_environment() -> None:
    env = clean_env(ALLOW_CUSTOM_CODE="true", FLOWEXEC_DATABASE_URL="memory", FLOWEXEC_TEST_SECRET=SECRET,
                    MISTRAL_API_KEY=KEY)
    async with flowexec_serve(env=env, diagnostic_nodes=False) as served, FlowClient(served.target) as client:
        code = READ_EVERYTHING.replace("{server}", str(served.proc.pid))
        events = [e async for e in client.execute_flow(pb_request([pb_node("spy", "custom_code", code=code)], []))]
    spy = final_statuses(events)["spy"]
    assert spy.status == events_pb2.NODE_STATUS_COMPLETE, spy.message
    text = events[-1].run_completed.outputs["spy"].text
    assert SECRET not in text and KEY not in text
    seen = json.loads(text)
    assert seen["environ"] == {"HOME": "/tmp", "PWD": "/tmp", "LC_CTYPE": "C.UTF-8"}
    assert seen[f"/proc/{served.proc.pid}/environ"] == "FileNotFoundError"  # another pid namespace
    assert seen["ppid"] == 1  # its parent is the sandbox's own init


async def test_the_server_refuses_to_start_when_custom_code_cannot_be_sandboxed() -> None:
    env = clean_env(ALLOW_CUSTOM_CODE="true", FLOWEXEC_DATABASE_URL="memory", FLOWEXEC_BWRAP="/nonexistent/bwrap")
    done = await run_command([*FLOWEXEC, "serve", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 2
    assert "listening" not in done.stdout
    assert done.stderr.strip() == (
        "flowexec: custom code is on (ALLOW_CUSTOM_CODE=true) but its sandbox does not work here (bubblewrap: "
        "/nonexistent/bwrap; install it with scripts/ensure_bubblewrap.sh): /nonexistent/bwrap is not an installed program")
