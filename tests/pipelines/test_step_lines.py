"""`flowexec run` prints a pipeline's steps as lines: which chunk started, and what it produced."""

from __future__ import annotations

import io

from flowexec.render import EventPrinter
from flowexec.v1 import events_pb2


def test_steps_print_as_lines() -> None:
    out = io.StringIO()
    printer = EventPrinter(out, {"dada": "pipeline"})
    for state, text in ((events_pb2.STEP_STATE_STARTED, ""), (events_pb2.STEP_STATE_COMPLETED, "a collage\nof " + "x" * 90)):
        printer.show(events_pb2.NodeEvent(node_step=events_pb2.NodeStep(
            node_id="dada", index=0, count=2, name="manipulate", state=state, text=text)))
    started, done = out.getvalue().splitlines()
    assert started == "  ▷ dada (pipeline): step 1/2 manipulate started"
    assert done.startswith("  ▷ dada (pipeline): step 1/2 manipulate done: a collage of xxx") and done.endswith("…")
