"""Helpers for executors with named ports: read the main input, produce named values.

`main_input(ctx, "value")` is the value a single-input element works on: its named input when
an edge filled it, else the one value its one edge carried (say a whole `start` output with
a single run input), else all its named inputs as an object, else its inputs' text, else None.

`value_output(values)` is the NodeOutput of an element: its named values, and as `text` the
main one read as text (execution.values.as_text), so that the editor's node types (textOutput,
LLM steps) can read an element's output as they read any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.context import NodeContext
from execution.nodes.inputs import merge_input_text
from execution.outputs import NodeOutput
from execution.values import as_text


def main_input(ctx: NodeContext[Any], name: str) -> Any:
    values = ctx.values
    if name in values:
        return values[name]
    edge_values = ctx.edge_values
    if len(edge_values) == 1:
        return edge_values[0].value
    if values:
        return dict(values)
    return merge_input_text(ctx.inputs) or None


def value_output(values: Mapping[str, Any], *, main: str | None = None) -> NodeOutput:
    """An output holding `values` (a dict is kept, not copied: do not change it afterwards); its
    text is `values[main]` (default: the only value, or all of them as an object) read as text."""
    if type(values) is not dict:
        values = dict(values)
    if main is not None:
        shown = values.get(main)
    elif len(values) == 1:
        (shown,) = values.values()
    else:
        shown = dict(values) if values else None
    return NodeOutput(text=shown if type(shown) is str else as_text(shown), values=values)
