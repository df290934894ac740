"""Protobuf ⇄ domain translation, and nothing else.

This is on every event's path, so messages are filled in place (`events.add()`, sub-message
fields) rather than built apart and copied in, and Struct settings are read by a direct walk
instead of `json_format.MessageToDict` (same values, about half the cost).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2

from execution.cache.mode import CacheMode
from execution.errors import GraphValidationError
from execution.events import (
    Event,
    NodeOutputProduced,
    NodeProgress,
    NodeStatus,
    NodeStatusChanged,
    NodeStep,
    NodeWaiting,
    RunCompleted,
    RunFailed,
    RunStarted,
    StatusReason,
    StepState,
    TextDelta,
    WaitReason,
)
from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId
from execution.messages import ChatMessage
from execution.model_tasks.mode import ExecutionMode
from execution.outputs import NO_USAGE, Image, NodeOutput, ProviderCall, TokenUsage
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2
from server.non_finite import NonFiniteNumber, non_finite_violations

STATUS = {s: events_pb2.NodeStatus.Value(f"NODE_STATUS_{s.name}") for s in NodeStatus}
REASON = {r: events_pb2.StatusReason.Value(f"STATUS_REASON_{r.name}") for r in StatusReason if r.name != "NONE"}
REASON[StatusReason.NONE] = events_pb2.STATUS_REASON_UNSPECIFIED
_WAIT_REASON = {r: events_pb2.WaitReason.Value(f"WAIT_REASON_{r.name}") for r in WaitReason}
_STEP_STATE = {state: events_pb2.StepState.Value(f"STEP_STATE_{state.name}") for state in StepState}
# UNSPECIFIED, and a mode newer than this server, read as None: the server's default.
_EXECUTION_MODE = {flow_service_pb2.ExecutionMode.Value(f"EXECUTION_MODE_{m.name}"): m for m in ExecutionMode}
_EXECUTION_MODE_PB = {m: v for v, m in _EXECUTION_MODE.items()}
_CACHE_MODE = {flow_service_pb2.CACHE_MODE_UNSPECIFIED: CacheMode.USE,
               **{flow_service_pb2.CacheMode.Value(f"CACHE_MODE_{m.name}"): m for m in CacheMode}}


def request_from_proto(req: flow_service_pb2.ExecuteFlowRequest) -> FlowRequest:
    """The domain request; GraphValidationError when a number in it is NaN or ±Infinity (a
    Struct can carry them, JSON cannot: an editor's emptied number field sends NaN). A cache
    mode newer than this server reads as the default (USE). Its owner is set by the run manager."""
    try:
        return FlowRequest(
            flow_id=FlowId(req.flow_id),
            nodes=tuple(
                Node(NodeId(n.id), n.type, struct_to_dict(n.data), data_bytes=n.data.ByteSize())
                for n in req.nodes
            ),
            edges=tuple(
                Edge(EdgeId(e.id), NodeId(e.source), NodeId(e.target), e.source_handle, e.target_handle)
                for e in req.edges
            ),
            provider_id=req.provider_id,
            trigger_node_id=NodeId(req.trigger_node_id) if req.trigger_node_id else None,
            cached_outputs={NodeId(k): output_from_proto(v) for k, v in req.cached_outputs.items()},
            options=RunOptions(max_concurrency=req.options.max_concurrency, dry_run=req.options.dry_run,
                               include_provider_calls=req.options.include_provider_calls,
                               cache_mode=_CACHE_MODE.get(req.options.cache_mode, CacheMode.USE),
                               max_execution_ms=req.options.max_execution_ms,
                               execution_mode=_EXECUTION_MODE.get(req.options.execution_mode)),
            initial_inputs=struct_to_dict(req.initial_inputs),
        )
    except NonFiniteNumber:
        # The slow path, taken only for a bad request: walk it again to name every culprit.
        raise GraphValidationError(non_finite_violations(req)) from None


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """google.protobuf.Struct → plain dict, as json_format.MessageToDict returns it; raises
    NonFiniteNumber where MessageToDict raises ValueError (NaN, ±Infinity)."""
    return {key: _value(value) for key, value in struct.fields.items()}


def values_to_dict(values: Mapping[str, struct_pb2.Value]) -> dict[str, Any]:
    """A `map<string, google.protobuf.Value>` as a plain dict (NonFiniteNumber as struct_to_dict)."""
    return {key: _value(value) for key, value in values.items()}


def fill_value(msg: struct_pb2.Value, value: Any) -> None:
    """Write a JSON value (execution.values) into an empty google.protobuf.Value."""
    if value is None:
        msg.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        msg.bool_value = value
    elif isinstance(value, int | float):
        msg.number_value = value
    elif isinstance(value, str):
        msg.string_value = value
    elif isinstance(value, Mapping):
        msg.struct_value.update(value)
    elif isinstance(value, list | tuple):
        msg.list_value.extend(value)
    else:  # not JSON: an executor's bug; shown as text rather than failing the stream
        msg.string_value = str(value)


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        number = value.number_value
        if not math.isfinite(number):
            raise NonFiniteNumber
        return number
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value or unset


def output_from_proto(out: graph_pb2.NodeOutput) -> NodeOutput:
    if not all(math.isfinite(c.temperature) for c in out.provider_calls):
        raise NonFiniteNumber
    return NodeOutput(
        text=out.text,
        image=Image(out.image.data, out.image.mime_type) if out.HasField("image") else None,
        persona_name=out.persona_name,
        persona_description=out.persona_description,
        replace_prompt=out.replace_prompt,
        injected_prompt=out.injected_prompt,
        duration_ms=out.duration_ms,
        cached=out.cached,
        dry_run=out.dry_run,
        provider_calls=tuple(
            ProviderCall(c.provider_id, c.model, c.purpose,
                         tuple(ChatMessage(m.role, m.content) for m in c.messages), c.temperature, c.max_tokens)
            for c in out.provider_calls
        ),
        seed=out.seed if out.HasField("seed") else None,
        usage=TokenUsage(out.usage.input_tokens, out.usage.output_tokens) if out.HasField("usage") else NO_USAGE,
        values=values_to_dict(out.values) if out.values else {},
        images=tuple(Image(i.data, i.mime_type) for i in out.images),
    )


def fill_output(msg: graph_pb2.NodeOutput, out: NodeOutput, *, image_bytes: bool = True,
                provider_calls: bool = False) -> None:
    """Write `out` into an empty NodeOutput message (unset strings stay unset).

    Without `image_bytes` an image keeps its mime type but not its data (RunCompleted: the
    bytes already went out once, in the node's NodeOutputProduced event). Without
    `provider_calls` the output's provider calls are left out (see server.servicer).
    """
    if out.text:
        msg.text = out.text
    if out.persona_name:
        msg.persona_name = out.persona_name
    if out.persona_description:
        msg.persona_description = out.persona_description
    if out.replace_prompt:
        msg.replace_prompt = out.replace_prompt
    if out.injected_prompt:
        msg.injected_prompt = out.injected_prompt
    if out.duration_ms:
        msg.duration_ms = out.duration_ms
    if out.cached:
        msg.cached = True
    if out.dry_run:
        msg.dry_run = True
    if out.usage:
        msg.usage.input_tokens = out.usage.input_tokens
        msg.usage.output_tokens = out.usage.output_tokens
    if out.image is not None:
        if image_bytes:
            msg.image.data = out.image.data
        msg.image.mime_type = out.image.mime_type
    for image in out.images:
        msg.images.add(data=image.data if image_bytes else b"", mime_type=image.mime_type)
    if out.seed is not None:
        msg.seed = out.seed
    if out.values:
        for name, value in out.values.items():
            fill_value(msg.values[name], value)
    if not provider_calls:
        return
    for call in out.provider_calls:
        msg.provider_calls.add(
            provider_id=call.provider_id, model=call.model, purpose=call.purpose,
            messages=[graph_pb2.ChatMessage(role=m.role, content=m.content) for m in call.messages],
            temperature=call.temperature, max_tokens=call.max_tokens,
        )


def request_to_proto(request: FlowRequest) -> flow_service_pb2.ExecuteFlowRequest:
    """The inverse of request_from_proto (a run's stored request)."""
    message = flow_service_pb2.ExecuteFlowRequest(flow_id=request.flow_id, provider_id=request.provider_id,
                                                  trigger_node_id=request.trigger_node_id or "")
    for node in request.nodes:
        added = message.nodes.add(id=node.id, type=node.type)
        added.data.update(node.data)
    for edge in request.edges:
        message.edges.add(id=edge.id, source=edge.source, target=edge.target, source_handle=edge.source_handle,
                          target_handle=edge.target_handle)
    for node_id, output in request.cached_outputs.items():
        fill_output(message.cached_outputs[node_id], output)
    options = request.options
    if options.max_concurrency or options.dry_run or options.include_provider_calls or options.max_execution_ms:
        message.options.max_concurrency = options.max_concurrency
        message.options.dry_run = options.dry_run
        message.options.include_provider_calls = options.include_provider_calls
        message.options.max_execution_ms = options.max_execution_ms
    if options.execution_mode is not None:
        message.options.execution_mode = _EXECUTION_MODE_PB[options.execution_mode]
    if request.initial_inputs:
        message.initial_inputs.update(request.initial_inputs)
    return message


def fill_event(msg: events_pb2.NodeEvent, event: Event, *, provider_calls: bool = False) -> None:
    """Write `event` into an empty NodeEvent message."""
    msg.run_id = event.run_id
    msg.seq = event.seq
    stamp = msg.time
    stamp.seconds, stamp.nanos = divmod(event.time_ns, 1_000_000_000)
    body = event.body
    if isinstance(body, NodeStatusChanged):
        status = msg.node_status
        status.node_id = body.node_id
        status.status = STATUS[body.status]
        if body.reason is not StatusReason.NONE:
            status.reason = REASON[body.reason]
            status.retryable = body.retryable
        if body.message:  # a reason's explanation, or a running node's progress
            status.message = body.message
    elif isinstance(body, TextDelta):
        delta = msg.text_delta
        delta.node_id = body.node_id
        delta.chunk = body.chunk
    elif isinstance(body, NodeProgress):
        progress = msg.node_progress
        progress.node_id = body.node_id
        progress.value = max(body.value, 0)
        progress.max = max(body.max, 0)
        progress.label = body.label
        progress.step = body.step
    elif isinstance(body, NodeOutputProduced):
        produced = msg.node_output
        produced.node_id = body.node_id
        produced.output.SetInParent()
        fill_output(produced.output, body.output, provider_calls=provider_calls)
    elif isinstance(body, RunStarted):
        msg.run_started.flow_id = body.flow_id
        msg.run_started.planned_node_ids.extend(body.planned_node_ids)
        msg.run_started.cached_node_ids.extend(body.cached_node_ids)
        msg.run_started.dry_run = body.dry_run
        if body.parent_run_id:
            msg.run_started.parent_run_id = body.parent_run_id
    elif isinstance(body, RunCompleted):
        done = msg.run_completed
        for node_id, out in body.outputs.items():
            fill_output(done.outputs[node_id], out, image_bytes=False, provider_calls=provider_calls)
        done.counts.complete = body.counts.complete
        done.counts.error = body.counts.error
        done.counts.skipped = body.counts.skipped
        done.counts.cancelled = body.counts.cancelled
        done.duration_ms = body.duration_ms
        if body.usage:
            done.usage.input_tokens = body.usage.input_tokens
            done.usage.output_tokens = body.usage.output_tokens
        for name, value in body.results.items():
            fill_value(done.results[name], value)
    elif isinstance(body, NodeWaiting):
        waiting = msg.node_waiting
        waiting.node_id = body.node_id
        waiting.provider_id = body.provider_id
        waiting.reason = _WAIT_REASON[body.reason]
        waiting.estimated_wait_ms = body.estimated_wait_ms
    elif isinstance(body, NodeStep):
        step = msg.node_step
        step.node_id = body.node_id
        step.index = body.index
        step.count = body.count
        step.name = body.name
        step.state = _STEP_STATE[body.state]
        step.text = body.text
    elif isinstance(body, RunFailed):
        msg.run_failed.message = body.message
