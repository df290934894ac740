"""Seed 004's flow documents (elements and connections) → ExecuteFlowRequest.

The document is either the whole execute request or just its flow definition:

    {"flow_id": "flow-123",
     "flow_definition": {"flow_id": "flow-123",
                         "elements": {"start-1": {"type": "start", "element_id": "start-1", …}, …},
                         "connections": [{"from_id": "llm-1", "to_id": "end-1",
                                          "from_output": "llm_output", "to_input": "text_input"}, …],
                         "start_element_id": "start-1"},
     "initial_inputs": {"prompt": "Hello"},
     "config": {"max_execution_time": 300}}

- Each element becomes a node: id `element_id` (else its key; `elements` may also be a list),
  type `type`, and every other field (`input_schema`, `temperature`, `wrapper_prompt`, `name`, …)
  as the node's settings, spelled as in the document.
- Each connection becomes an edge: `from_output` → `source_handle`, `to_input` → `target_handle`
  (absent: the whole output; see the README's "Named ports").
- `initial_inputs` → `initial_inputs`; `config.max_execution_time` (seconds) →
  `options.max_execution_ms`.
- `start_element_id` must name an element; the flow runs from every node without inputs, as
  any flow does. `backend2_ws_url` is not used: events stream back on the call itself.

A document that is not shaped like this raises ValueError naming the place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from flowexec.v1 import events_pb2, flow_service_pb2

_NOT_SETTINGS = ("type", "element_id")
# Longest time limit a document may give (about 31 years); beyond it, a typo.
MAX_SECONDS = 1e9


def is_element_flow(doc: Mapping[str, Any]) -> bool:
    """True for a seed-004 document (elements and connections), False for a React Flow export."""
    return "flow_definition" in doc or "elements" in doc


def request_from_element_flow(
    doc: Mapping[str, Any], *, provider_id: str = "", dry_run: bool = False, include_provider_calls: bool = False,
    initial_inputs: Mapping[str, Any] | None = None, max_execution_ms: int | None = None,
) -> flow_service_pb2.ExecuteFlowRequest:
    """The request for a seed-004 document; `initial_inputs` are merged over the document's, and
    `max_execution_ms` replaces its `config.max_execution_time`."""
    definition = doc.get("flow_definition", doc)
    if not isinstance(definition, Mapping):
        raise ValueError("flow_definition must be an object")
    request = flow_service_pb2.ExecuteFlowRequest(
        flow_id=str(doc.get("flow_id") or definition.get("flow_id") or ""),
        provider_id=provider_id or str(doc.get("provider_id") or definition.get("provider_id") or ""),
        options=flow_service_pb2.ExecutionOptions(dry_run=dry_run, include_provider_calls=include_provider_calls),
    )
    ids = _add_elements(request, definition.get("elements"))
    _add_connections(request, definition.get("connections") or [])
    start = definition.get("start_element_id")
    if start is not None and start not in ids:
        raise ValueError(f"start_element_id {start!r} is not an element of the flow")
    inputs = {**_object(_first(doc, definition, "initial_inputs"), "initial_inputs"), **(initial_inputs or {})}
    if inputs:
        request.initial_inputs.update(inputs)
    if max_execution_ms is None:
        max_execution_ms = _limit_ms(_object(_first(doc, definition, "config"), "config").get("max_execution_time"))
    request.options.max_execution_ms = max_execution_ms
    return request


def results_of(completed: events_pb2.RunCompleted) -> dict[str, Any]:
    """A run's named results (the end elements' inputs) as plain JSON values."""
    return {name: json_format.MessageToDict(value) for name, value in completed.results.items()}


def _add_elements(request: flow_service_pb2.ExecuteFlowRequest, elements: Any) -> set[str]:
    if isinstance(elements, Mapping):
        items = [(str(key), element) for key, element in elements.items()]
    elif isinstance(elements, list):
        items = [("", element) for element in elements]
    else:
        raise ValueError("elements must be an object (element id → element) or a list of elements")
    ids = set()
    for i, (key, element) in enumerate(items):
        where = f"elements[{key!r}]" if key else f"elements[{i}]"
        if not isinstance(element, Mapping):
            raise ValueError(f"{where} must be an object")
        node_id = str(element.get("element_id") or key)
        if not node_id:
            raise ValueError(f"{where} has no element_id")
        settings = struct_pb2.Struct()
        settings.update({k: v for k, v in element.items() if k not in _NOT_SETTINGS})
        request.nodes.add(id=node_id, type=str(element.get("type") or ""), data=settings)
        ids.add(node_id)
    return ids


def _add_connections(request: flow_service_pb2.ExecuteFlowRequest, connections: Any) -> None:
    if not isinstance(connections, list):
        raise ValueError("connections must be a list")
    for i, connection in enumerate(connections):
        if not isinstance(connection, Mapping):
            raise ValueError(f"connections[{i}] must be an object")
        request.edges.add(
            id=str(connection.get("id") or connection.get("connection_id") or f"connection-{i}"),
            source=str(connection.get("from_id") or ""),
            target=str(connection.get("to_id") or ""),
            source_handle=str(connection.get("from_output") or ""),
            target_handle=str(connection.get("to_input") or ""),
        )


def _first(doc: Mapping[str, Any], definition: Mapping[str, Any], key: str) -> Any:
    return doc[key] if key in doc else definition.get(key)


def _object(value: Any, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be an object")
    return value


def _limit_ms(seconds: Any) -> int:
    if seconds is None:
        return 0
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= MAX_SECONDS:
        raise ValueError(f"config.max_execution_time must be a number of seconds from 0 to {MAX_SECONDS:g}, "
                         f"not {seconds!r}")
    return round(seconds * 1000)
