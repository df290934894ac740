"""Bounds on text: what one node may receive, produce and stream, and what RunCompleted repeats.

A node's text grows with its inputs (textOutput merges them, an LLM prompt quotes them), so a
3 KB request whose layers each merge two copies of the layer before streams tens of megabytes
and, at 16 layers, passes the gRPC message limit. A run's TextMeter holds every node to one
limit, `Limits.max_node_text_bytes`, where text enters or leaves a node — whatever its
executor — and the scheduler fails the node (ERROR, INVALID_INPUT; its downstream is SKIPPED as
usual):

- before it runs, when the text of its inputs adds up to more (so no executor ever builds a
  merge of ten thousand copies);
- when the text it streams as deltas passes it (`emit_text` raises StreamedTextTooLarge);
- when its output is accepted, if the output's text is larger.

RunCompleted repeats every output. Its text is bounded too, by `Limits.max_summary_text_bytes`
for the whole run: an output that does not fit goes without its text (metadata kept), which
the client already received in the node's NodeOutputProduced event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from execution.errors import InvalidNodeInput
from execution.ids import NodeId
from execution.outputs import NodeOutput
from execution.run_limits import Limits
from execution.values import json_size


class StreamedTextTooLarge(InvalidNodeInput):
    """Raised by a node's `emit_text` once its streamed text passes the limit: stops the node."""


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def text_size(output: NodeOutput) -> int:
    """UTF-8 bytes of every text an output carries (provider call messages and its named values,
    as JSON, included)."""
    size = utf8_size(output.text) + utf8_size(output.persona_name) + utf8_size(output.persona_description)
    size += utf8_size(output.replace_prompt) + utf8_size(output.injected_prompt)
    if output.values:
        size += json_size(output.values)
    for call in output.provider_calls:
        size += sum(utf8_size(m.content) for m in call.messages)
    return size


def without_text(output: NodeOutput) -> NodeOutput:
    return replace(output, text="", persona_name="", persona_description="", replace_prompt="", injected_prompt="",
                   provider_calls=tuple(replace(c, messages=()) for c in output.provider_calls), values={})


class TextMeter:
    """One run's text accounting: the size of each output it holds, the text each node streamed."""

    def __init__(self, limits: Limits, cached: Mapping[NodeId, NodeOutput]) -> None:
        self._limit = limits.max_node_text_bytes
        self._summary_budget = limits.max_summary_text_bytes
        self._sizes = {node_id: text_size(output) for node_id, output in cached.items()}
        self._total = sum(self._sizes.values())
        self._streamed: dict[NodeId, int] = {}

    def inputs_problem(self, sources: Iterable[NodeId]) -> str | None:
        """Why a node fed by `sources` must not run (its inputs carry too much text), or None."""
        sizes = self._sizes
        received = sum(sizes.get(s, 0) for s in sources)
        if received <= self._limit:
            return None
        return f"the inputs of this node carry {received} bytes of text, over the limit of {self._limit} bytes per node"

    def count_streamed(self, node_id: NodeId, chunk: str) -> None:
        """Count a text delta before it is sent; raise StreamedTextTooLarge past the limit."""
        streamed = self._streamed[node_id] = self._streamed.get(node_id, 0) + utf8_size(chunk)
        if streamed > self._limit:
            raise StreamedTextTooLarge(self._streamed_message())

    def stream_overflow(self, node_id: NodeId) -> StreamedTextTooLarge | None:
        """The error a node ends with when its stream passed the limit, whatever its executor
        made of StreamedTextTooLarge (caught, wrapped into a provider error, ignored)."""
        if self._streamed.get(node_id, 0) > self._limit:
            return StreamedTextTooLarge(self._streamed_message())
        return None

    def accept(self, node_id: NodeId, output: NodeOutput) -> str | None:
        """Why a node's output is refused (too much text), or None: then its size is recorded."""
        overflow = self.stream_overflow(node_id)
        if overflow is not None:
            return overflow.message
        size = text_size(output)
        if size > self._limit:
            return f"the output text of this node is {size} bytes, over the limit of {self._limit} bytes per node"
        self._total += size - self._sizes.get(node_id, 0)
        self._sizes[node_id] = size
        return None

    def summary(self, outputs: Mapping[NodeId, NodeOutput]) -> dict[NodeId, NodeOutput]:
        """The outputs RunCompleted repeats: in order, with their text while the total fits the
        summary budget; an output whose text would not fit goes without (metadata kept)."""
        if self._total <= self._summary_budget:
            return dict(outputs)
        summary: dict[NodeId, NodeOutput] = {}
        spent = 0
        for node_id, output in outputs.items():
            size = self._sizes.get(node_id, 0)
            if spent + size <= self._summary_budget:
                spent += size
                summary[node_id] = output
            else:
                summary[node_id] = without_text(output)
        return summary

    def _streamed_message(self) -> str:
        return (f"the text this node streamed passed the limit of {self._limit} bytes per node "
                "(discard the partial text)")
