"""The editor's React Flow export (JSON) → ExecuteFlowRequest.

Accepts `{nodes, edges}` with camelCase `sourceHandle`/`targetHandle` (snake_case also
works), plus optional `flowId`, `providerId`, `triggerNodeId` and `cachedOutputs`.
Images in cached outputs may be data URLs; they are sent as bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2

from flowexec.v1 import flow_service_pb2, graph_pb2


def _get(obj: Mapping[str, Any], camel: str, snake: str, default: Any = "") -> Any:
    value = obj.get(camel, obj.get(snake, default))
    return default if value is None else value


def request_from_reactflow(
    doc: Mapping[str, Any], *, provider_id: str = "", dry_run: bool = False, trigger_node_id: str = "",
    include_provider_calls: bool = False,
    cache_mode: flow_service_pb2.CacheMode = flow_service_pb2.CACHE_MODE_UNSPECIFIED,
    execution_mode: flow_service_pb2.ExecutionMode = flow_service_pb2.EXECUTION_MODE_UNSPECIFIED,
) -> flow_service_pb2.ExecuteFlowRequest:
    request = flow_service_pb2.ExecuteFlowRequest(
        flow_id=str(_get(doc, "flowId", "flow_id", doc.get("id", ""))),
        provider_id=provider_id or str(_get(doc, "providerId", "provider_id")),
        trigger_node_id=trigger_node_id or str(_get(doc, "triggerNodeId", "trigger_node_id")),
        options=flow_service_pb2.ExecutionOptions(dry_run=dry_run, include_provider_calls=include_provider_calls,
                                                  cache_mode=cache_mode, execution_mode=execution_mode),
    )
    for node in doc.get("nodes", []):
        data = struct_pb2.Struct()
        data.update(node.get("data") or {})
        request.nodes.add(id=str(node.get("id", "")), type=str(node.get("type", "")), data=data)
    for edge in doc.get("edges", []):
        request.edges.add(
            id=str(edge.get("id", "")),
            source=str(edge.get("source", "")),
            target=str(edge.get("target", "")),
            source_handle=str(_get(edge, "sourceHandle", "source_handle")),
            target_handle=str(_get(edge, "targetHandle", "target_handle")),
        )
    for node_id, output in (_get(doc, "cachedOutputs", "cached_outputs", {}) or {}).items():
        request.cached_outputs[node_id].CopyFrom(output_from_json(output))
    return request


def output_from_json(output: Mapping[str, Any]) -> graph_pb2.NodeOutput:
    msg = graph_pb2.NodeOutput(
        text=str(output.get("text") or ""),
        persona_name=str(_get(output, "personaName", "persona_name")),
        persona_description=str(_get(output, "personaDescription", "persona_description")),
        replace_prompt=str(_get(output, "replacePrompt", "replace_prompt")),
        injected_prompt=str(_get(output, "injectedPrompt", "injected_prompt")),
    )
    image = output.get("image")
    if isinstance(image, str) and image:
        mime, data = decode_data_url(image)
        msg.image.data = data
        msg.image.mime_type = mime
    for item in output.get("images") or ():  # a batch's images (image_generation), as data URLs
        if isinstance(item, str) and item:
            mime, data = decode_data_url(item)
            msg.images.add(data=data, mime_type=mime)
    return msg


def decode_data_url(value: str) -> tuple[str, bytes]:
    """(mime type, bytes) of a `data:<mime>;base64,<data>` URL or a bare base64 string."""
    mime = "application/octet-stream"
    payload = value
    if value.startswith("data:") and "," in value:
        header, payload = value[5:].split(",", 1)
        mime = header.split(";", 1)[0] or mime
    try:
        return mime, base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError(f"image is not valid base64: {err}") from None
