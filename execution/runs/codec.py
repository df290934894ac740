"""The run manager's one dependency on a wire format: how events and requests become bytes.

Each event is encoded once; the same bytes are stored and sent to every watcher, so a
replay from the store sends stored bytes as they are. The server implements this with
protobuf (server.run_codec); the manager never looks inside the bytes.
"""

from __future__ import annotations

from typing import Protocol

from execution.events import Event
from execution.graph.model import FlowRequest


class RunCodec(Protocol):
    def encode_event(self, event: Event, *, provider_calls: bool = False) -> bytes:
        """One event's wire form (as a watcher receives it); outputs keep their provider calls
        only with `provider_calls` (a dry run, or a live run whose request may have them)."""
        ...

    def encode_request(self, request: FlowRequest) -> bytes:
        """The request a run was started with, for the store (ResumeRun decodes it)."""
        ...

    def decode_request(self, data: bytes) -> FlowRequest:
        """The inverse of encode_request."""
        ...
