"""Secrets out of what nodes produce: their streamed text and their outputs, alike.

It sits where every node's text passes through the engine (NodeContext.emit_text and the
returned NodeOutput), so every node type is covered — LLM steps, vision replies, diagnostics —
without each provider doing it. A vendor that echoes our key in a 200 reply would otherwise
stream it to the client.

A key may arrive split across two chunks: each node's deltas cross a StreamRedactor, which
holds back at most (longest secret − 1) characters, and only while they could begin a secret;
the held rest follows as one last delta when the node completes (and is dropped when it
fails: the client is told to discard partial text then). The output's text is redacted with
the same rule, so it still equals the concatenated deltas; the strings in its named values are
redacted too. With no secret configured the run never creates this.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from execution.ids import NodeId
from execution.outputs import NodeOutput
from execution.redaction import SecretRedactor, StreamRedactor

# NodeOutput's text fields a node fills from what it received or generated.
_TEXT_FIELDS = ("text", "persona_name", "persona_description", "replace_prompt", "injected_prompt")


class NodeRedaction:
    def __init__(self, redactor: SecretRedactor) -> None:
        self._redactor = redactor
        self._streams: dict[NodeId, StreamRedactor] = {}

    def chunk(self, node_id: NodeId, chunk: str) -> str:
        """The part of `chunk` that can go out now (may be empty)."""
        stream = self._streams.get(node_id)
        if stream is None:
            stream = self._streams[node_id] = self._redactor.stream()
        return stream.feed(chunk)

    def finish(self, node_id: NodeId, output: NodeOutput) -> tuple[str, NodeOutput]:
        """The node completed: its held-back text, and its output redacted."""
        stream = self._streams.pop(node_id, None)
        tail = stream.end() if stream is not None else ""
        changed: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = getattr(output, name)
            if value and (redacted := self._redactor.redact(value)) != value:
                changed[name] = redacted
        if output.values and (values := self._redact_value(output.values)) is not output.values:
            changed["values"] = values
        return tail, replace(output, **changed) if changed else output

    def _redact_value(self, value: Any) -> Any:
        """`value` with secrets masked in every string (keys included); the same object when
        nothing changed."""
        if isinstance(value, str):
            redacted = self._redactor.redact(value)
            return value if redacted == value else redacted
        if isinstance(value, list):
            items = [self._redact_value(v) for v in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, Mapping):
            pairs = [(self._redact_value(k), self._redact_value(v)) for k, v in value.items()]
            same = all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True))
            return value if same else dict(pairs)
        return value

    def drop(self, node_id: NodeId) -> None:
        """The node failed: its held-back text (perhaps a key's opening part) is not sent."""
        self._streams.pop(node_id, None)
