"""Secrets out of what nodes produce: their streamed text and their outputs, alike.

It sits where every node's text passes through the engine (NodeContext.emit_text and the
returned NodeOutput), so every node type is covered — LLM steps, vision replies, diagnostics —
without each provider doing it. A vendor that echoes our key in a 200 reply would otherwise
stream it to the client.

A key may arrive split across two chunks: each node's deltas cross a StreamRedactor, which
holds back at most (longest secret − 1) characters, and only while they could begin a secret;
the held rest follows as one last delta when the node completes (and is dropped when it
fails: the client is told to discard partial text then). The output's text is redacted with
the same rule, so it still equals the concatenated deltas. With no secret configured the run
never creates this.
"""

from __future__ import annotations

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
        return tail, replace(output, **changed) if changed else output

    def drop(self, node_id: NodeId) -> None:
        """The node failed: its held-back text (perhaps a key's opening part) is not sent."""
        self._streams.pop(node_id, None)
