"""Protobuf ⇄ domain translation, and nothing else."""

from __future__ import annotations

from google.protobuf import json_format

from execution.events import (
    Event,
    NodeOutputProduced,
    NodeStatus,
    NodeStatusChanged,
    RunCompleted,
    RunFailed,
    RunStarted,
    StatusReason,
    TextDelta,
)
from execution.graph.model import Edge, FlowRequest, Node, RunOptions
from execution.ids import EdgeId, FlowId, NodeId
from execution.outputs import ChatMessage, Image, NodeOutput, ProviderCall
from flowexec.v1 import events_pb2, flow_service_pb2, graph_pb2

_STATUS = {s: events_pb2.NodeStatus.Value(f"NODE_STATUS_{s.name}") for s in NodeStatus}
_REASON = {r: events_pb2.StatusReason.Value(f"STATUS_REASON_{r.name}") for r in StatusReason if r.name != "NONE"}
_REASON[StatusReason.NONE] = events_pb2.STATUS_REASON_UNSPECIFIED


def request_from_proto(req: flow_service_pb2.ExecuteFlowRequest) -> FlowRequest:
    return FlowRequest(
        flow_id=FlowId(req.flow_id),
        nodes=tuple(
            Node(NodeId(n.id), n.type, json_format.MessageToDict(n.data), data_bytes=n.data.ByteSize())
            for n in req.nodes
        ),
        edges=tuple(
            Edge(EdgeId(e.id), NodeId(e.source), NodeId(e.target), e.source_handle, e.target_handle)
            for e in req.edges
        ),
        provider_id=req.provider_id,
        trigger_node_id=NodeId(req.trigger_node_id) if req.trigger_node_id else None,
        cached_outputs={NodeId(k): output_from_proto(v) for k, v in req.cached_outputs.items()},
        options=RunOptions(max_concurrency=req.options.max_concurrency, dry_run=req.options.dry_run),
    )


def output_from_proto(out: graph_pb2.NodeOutput) -> NodeOutput:
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
    )


def output_to_proto(out: NodeOutput) -> graph_pb2.NodeOutput:
    msg = graph_pb2.NodeOutput(
        text=out.text,
        persona_name=out.persona_name,
        persona_description=out.persona_description,
        replace_prompt=out.replace_prompt,
        injected_prompt=out.injected_prompt,
        duration_ms=out.duration_ms,
        cached=out.cached,
        dry_run=out.dry_run,
    )
    if out.image is not None:
        msg.image.data = out.image.data
        msg.image.mime_type = out.image.mime_type
    for call in out.provider_calls:
        msg.provider_calls.add(
            provider_id=call.provider_id, model=call.model, purpose=call.purpose,
            messages=[graph_pb2.ChatMessage(role=m.role, content=m.content) for m in call.messages],
            temperature=call.temperature, max_tokens=call.max_tokens,
        )
    return msg


def event_to_proto(event: Event) -> events_pb2.NodeEvent:
    msg = events_pb2.NodeEvent(run_id=event.run_id, seq=event.seq)
    msg.time.FromNanoseconds(event.time_ns)
    body = event.body
    if isinstance(body, NodeStatusChanged):
        msg.node_status.node_id = body.node_id
        msg.node_status.status = _STATUS[body.status]
        if body.reason is not StatusReason.NONE:
            msg.node_status.reason = _REASON[body.reason]
            msg.node_status.message = body.message
            msg.node_status.retryable = body.retryable
    elif isinstance(body, TextDelta):
        msg.text_delta.node_id = body.node_id
        msg.text_delta.chunk = body.chunk
    elif isinstance(body, NodeOutputProduced):
        msg.node_output.node_id = body.node_id
        msg.node_output.output.CopyFrom(output_to_proto(body.output))
    elif isinstance(body, RunStarted):
        msg.run_started.flow_id = body.flow_id
        msg.run_started.planned_node_ids.extend(body.planned_node_ids)
        msg.run_started.cached_node_ids.extend(body.cached_node_ids)
        msg.run_started.dry_run = body.dry_run
    elif isinstance(body, RunCompleted):
        done = msg.run_completed
        for node_id, out in body.outputs.items():
            done.outputs[node_id].CopyFrom(output_to_proto(out))
        done.counts.complete = body.counts.complete
        done.counts.error = body.counts.error
        done.counts.skipped = body.counts.skipped
        done.counts.cancelled = body.counts.cancelled
        done.duration_ms = body.duration_ms
    elif isinstance(body, RunFailed):
        msg.run_failed.message = body.message
    return msg
