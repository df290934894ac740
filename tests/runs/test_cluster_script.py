"""scripts/cluster.sh: PostgreSQL, three replicas and Envoy, as one command. Envoy spreads
requests round robin over the replicas, so a run started, watched and cancelled through it is
(most likely) started on one replica, watched from a second and cancelled from a third; each
works wherever it lands. Ctrl-C/SIGTERM stops everything (exit 0)."""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

from flowexec.v1 import events_pb2, runs_pb2
from tests.builders import pb_node, pb_request
from tests.cli.commands import ROOT, clean_env
from tests.runs.runs_client import RUNNING, Runs, final_statuses, is_status

READY = re.compile(r"flowexec cluster ready on (\S+)")


async def test_one_command_starts_a_three_replica_cluster_behind_envoy(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "scripts" / "cluster.py"), "--port", "0", "--data", str(tmp_path / "cluster"),
        "--diagnostic-nodes", stdout=asyncio.subprocess.PIPE, env=clean_env(), cwd=tmp_path, start_new_session=True)
    try:
        assert proc.stdout is not None
        lines = []
        async with asyncio.timeout(120):
            while (match := READY.match(line := (await proc.stdout.readline()).decode())) is None:
                assert line, f"the cluster did not start: {lines}"
                lines.append(line)
        assert sum("replica" in line for line in lines) == 3
        flow = pb_request([pb_node("slow", "diag.delay", seconds=600, text="never")], [])
        async with Runs(match.group(1)) as runs:
            run = await runs.start(flow)
            seen = []
            async for response in runs.watch_call(run.run_id):
                seen.extend(response.events)
                if any(is_status(e, "slow", RUNNING) for e in seen):
                    break
            assert (await runs.cancel(run.run_id)).state == runs_pb2.RUN_STATE_CANCELLED
            events = await runs.watch(run.run_id)
            assert final_statuses(events)["slow"].reason == events_pb2.STATUS_REASON_CLIENT_CANCELLED
            assert (await runs.get(run.run_id)).state == runs_pb2.RUN_STATE_CANCELLED
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=60) == 0
    finally:
        if proc.returncode is None:  # it stops its parts (each in a session of its own) on SIGTERM
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=60)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
