"""Each node's last status, read from a run's events — the engine's or the wire's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from execution.events import Event, NodeStatusChanged
from flowexec.v1 import events_pb2


@overload
def final_statuses(events: Iterable[Event]) -> dict[str, NodeStatusChanged]: ...
@overload
def final_statuses(events: Iterable[events_pb2.NodeEvent]) -> dict[str, events_pb2.NodeStatusChanged]: ...
def final_statuses(events: Iterable[Event] | Iterable[events_pb2.NodeEvent]
                   ) -> dict[str, NodeStatusChanged] | dict[str, events_pb2.NodeStatusChanged]:
    """node id → its last status change, in the order the nodes first changed status."""
    final: dict = {}
    for event in events:
        if isinstance(event, Event):
            if isinstance(event.body, NodeStatusChanged):
                final[event.body.node_id] = event.body
        elif event.HasField("node_status"):
            final[event.node_status.node_id] = event.node_status
    return final
