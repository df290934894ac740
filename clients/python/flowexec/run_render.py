"""Human-readable lines for stored runs (`flowexec runs list | get`)."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf import timestamp_pb2

from flowexec.render import reason_name, status_name, summary
from flowexec.v1 import runs_pb2


def state_name(state: int) -> str:
    return runs_pb2.RunState.Name(state).removeprefix("RUN_STATE_").lower()


def state_value(name: str) -> runs_pb2.RunState:
    """`succeeded` → RUN_STATE_SUCCEEDED; ValueError naming the states for anything else."""
    try:
        return runs_pb2.RunState.Value(f"RUN_STATE_{name.strip().upper()}")
    except ValueError:
        names = ", ".join(state_name(v) for v in runs_pb2.RunState.values() if v)
        raise ValueError(f"unknown run state {name!r} (one of: {names})") from None


def _time(stamp: timestamp_pb2.Timestamp) -> str:
    if not stamp.seconds and not stamp.nanos:
        return "-"
    return datetime.fromtimestamp(stamp.seconds + stamp.nanos / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S")


def run_line(run: runs_pb2.Run) -> str:
    """One line per run: id, state, flow, counts, created time, parent."""
    c = run.counts
    parent = f" resumes {run.parent_run_id}" if run.parent_run_id else ""
    dry = " [dry run]" if run.dry_run else ""
    return (f"{run.run_id}  {state_name(run.state):<11} flow={run.flow_id or '-'}  "
            f"{c.complete}✓ {c.error}✗ {c.skipped}↷ {c.cancelled}■  {_time(run.created_time)}{parent}{dry}")


def run_details(run: runs_pb2.Run) -> list[str]:
    """A run and each planned node's last status and output."""
    lines = [run_line(run),
             f"  owner={run.owner}  started={_time(run.started_time)}  finished={_time(run.finished_time)}  "
             f"last_seq={run.last_seq}{'' if run.fully_stored else '  (not fully stored)'}"]
    for node in run.nodes:
        line = f"  {node.node_id}: {status_name(node.status)}"
        if node.reason:
            line += f" [{reason_name(node.reason)}] {node.message}"
        if node.HasField("output"):
            line += f" — {summary(node.output)}"
        lines.append(line)
    return lines
