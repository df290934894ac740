"""Human-readable, line-based rendering of a run's events (for the CLI; CI-log friendly)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from flowexec.v1 import events_pb2, graph_pb2

_MARK = {
    events_pb2.NODE_STATUS_PENDING: "·",
    events_pb2.NODE_STATUS_RUNNING: "▶",
    events_pb2.NODE_STATUS_COMPLETE: "✓",
    events_pb2.NODE_STATUS_ERROR: "✗",
    events_pb2.NODE_STATUS_SKIPPED: "↷",
    events_pb2.NODE_STATUS_CANCELLED: "■",
}


def status_name(status: int) -> str:
    return events_pb2.NodeStatus.Name(status).removeprefix("NODE_STATUS_").lower()


def reason_name(reason: int) -> str:
    return events_pb2.StatusReason.Name(reason).removeprefix("STATUS_REASON_").lower()


_WAITING_FOR = {
    events_pb2.WAIT_REASON_RATE_LIMITED: "rate limit",
    events_pb2.WAIT_REASON_PROVIDER_RETRY_AFTER: "the provider's Retry-After",
}


def tokens(usage: graph_pb2.TokenUsage) -> str:
    return f"{usage.input_tokens:,} in / {usage.output_tokens:,} out tokens"


class EventPrinter:
    def __init__(self, out: TextIO = sys.stdout, node_types: dict[str, str] | None = None) -> None:
        self._out = out
        self._types = node_types or {}
        self._streaming: str | None = None

    def _line(self, text: str) -> None:
        if self._streaming is not None:
            self._out.write("\n")
            self._streaming = None
        self._out.write(text + "\n")
        self._out.flush()

    def _label(self, node_id: str) -> str:
        kind = self._types.get(node_id)
        return f"{node_id} ({kind})" if kind else node_id

    def show(self, event: events_pb2.NodeEvent) -> None:
        kind = event.WhichOneof("kind")
        if kind == "run_started":
            started = event.run_started
            extra = f", {len(started.cached_node_ids)} cached inputs" if started.cached_node_ids else ""
            dry = " [dry run]" if started.dry_run else ""
            self._line(f"run {event.run_id} started: {len(started.planned_node_ids)} nodes planned{extra}{dry}")
        elif kind == "node_status":
            st = event.node_status
            if st.status == events_pb2.NODE_STATUS_PENDING:
                return
            line = f"  {_MARK.get(st.status, '?')} {self._label(st.node_id)}: {status_name(st.status)}"
            if st.reason:
                line += f" [{reason_name(st.reason)}] {st.message}"
            elif st.message:  # a running node's progress
                line += f" — {st.message}"
            self._line(line)
        elif kind == "node_waiting":
            waiting = event.node_waiting
            what = _WAITING_FOR.get(waiting.reason, "rate limit")
            self._line(f"  … {self._label(waiting.node_id)}: waiting for {what} ({waiting.provider_id}), "
                       f"~{waiting.estimated_wait_ms / 1000:.1f} s")
        elif kind == "node_step":
            step = event.node_step
            where = f"step {step.index + 1}/{step.count} {step.name}"
            if step.state == events_pb2.STEP_STATE_STARTED:
                self._line(f"  ▷ {self._label(step.node_id)}: {where} started")
            else:
                shown = step.text.replace("\n", " ")
                shown = shown if len(shown) <= 80 else shown[:79] + "…"
                self._line(f"  ▷ {self._label(step.node_id)}: {where} done" + (f": {shown}" if shown else ""))
        elif kind == "node_output":
            out = event.node_output.output
            used = f", {tokens(out.usage)}" if out.HasField("usage") else ""
            self._line(f"    {event.node_output.node_id} output in {out.duration_ms} ms{used}: {summary(out)}")
        elif kind == "text_delta":
            delta = event.text_delta
            if self._streaming != delta.node_id:
                self._line(f"    {delta.node_id} streaming: ")
                self._streaming = delta.node_id
            self._out.write(delta.chunk)
            self._out.flush()
        elif kind == "node_progress":
            progress = event.node_progress
            # A line when a step starts and when it ends, not one per unit (log-friendly).
            if progress.value <= 1 or progress.value == progress.max:
                what = f" {progress.label}" if progress.label else ""
                total = f"/{progress.max}" if progress.max else ""
                self._line(f"    {progress.node_id} progress:{what} {progress.value}{total}")
        elif kind == "run_completed":
            c = event.run_completed.counts
            self._line(
                f"run completed in {event.run_completed.duration_ms} ms: {c.complete} complete, "
                f"{c.error} error, {c.skipped} skipped, {c.cancelled} cancelled"
                + (f"; {tokens(event.run_completed.usage)}" if event.run_completed.HasField("usage") else "")
            )
        elif kind == "run_failed":
            self._line(f"run failed: {event.run_failed.message}")

    def show_outputs(self, outputs: dict[str, graph_pb2.NodeOutput]) -> None:
        self._line("\noutputs:")
        for node_id, out in outputs.items():
            self._line(f"── {self._label(node_id)}{' (cached)' if out.cached else ''}{' (dry run)' if out.dry_run else ''}")
            for call in out.provider_calls:
                params = f"temperature={call.temperature:g}" if call.temperature else "temperature=default"
                tokens = f", max_tokens={call.max_tokens}" if call.max_tokens else ""
                self._line(f"   call {call.purpose}: {call.provider_id}/{call.model or '(provider default)'} {params}{tokens}")
                for msg in call.messages:
                    self._line(f"   [{msg.role}]")
                    self._line(_indent(msg.content, "     "))
            if out.text and not out.provider_calls:
                self._line(_indent(out.text, "   "))
            if out.HasField("image"):
                self._line(f"   [image {out.image.mime_type}, {len(out.image.data)} bytes]")


    def show_results(self, results: dict[str, Any]) -> None:
        """The run's named results (RunCompleted.results), one per line as JSON."""
        if not results:
            return
        self._line("\nresults:")
        for name, value in results.items():
            self._line(f"   {name}: {json.dumps(value, ensure_ascii=False)}")


def summary(out: graph_pb2.NodeOutput, width: int = 80) -> str:
    if out.HasField("image"):
        return f"image {out.image.mime_type} {len(out.image.data)} bytes"
    text = (out.text or out.injected_prompt or out.replace_prompt or out.persona_description).replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())
