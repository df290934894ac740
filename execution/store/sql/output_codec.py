"""NodeOutput ⇄ JSON text for the nodes table: our own codec, never pickle.

The image is not in the JSON: its bytes go to the images table (by sha256) and the row keeps
the reference; the JSON keeps the mime type, so an output read back without image bytes still
says what kind of image it had. The images of a node that makes several (`images`) are in the
JSON, base64: the images table keeps one image per node row. Field names are spelled out and decoding tolerates missing
ones (defaults), so a later NodeOutput field can be added without a data migration.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from execution.messages import ChatMessage
from execution.outputs import NO_USAGE, Image, NodeOutput, ProviderCall, TokenUsage

CODEC_VERSION = 1
# One encoder for every output (json.dumps with options builds a new one per call).
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_STRING = json.encoder.encode_basestring  # one JSON string, as _ENCODE writes it
_TEXT_FIELDS = tuple((name, f',"{name}":') for name in
                     ("text", "persona_name", "persona_description", "replace_prompt", "injected_prompt"))
_OPENING = f'{{"v":{CODEC_VERSION}'


def encode_output(output: NodeOutput) -> str:
    """The output as compact JSON; its image as its mime type alone. Written piece by piece (a
    node's output is written once per run, on the store's hot path): the text json.dumps would
    write for the same document."""
    parts = [_OPENING]
    for name, key in _TEXT_FIELDS:
        value = getattr(output, name)
        if value:
            parts += (key, _STRING(value))
    if output.duration_ms:
        parts.append(f',"duration_ms":{int(output.duration_ms)}')
    if output.cached:
        parts.append(',"cached":true')
    if output.dry_run:
        parts.append(',"dry_run":true')
    if output.image is not None:
        parts += (',"image_mime_type":', _STRING(output.image.mime_type))
    if output.provider_calls:
        parts += (',"provider_calls":', _ENCODE([_encode_call(call) for call in output.provider_calls]))
    if output.seed is not None:
        parts.append(f',"seed":{int(output.seed)}')
    if output.usage:
        parts.append(f',"usage":[{int(output.usage.input_tokens)},{int(output.usage.output_tokens)}]')
    if output.values:
        parts += (',"values":', _ENCODE(dict(output.values)))
    if output.images:  # a batch's images, inline (the images table holds one per node row)
        parts += (',"images":', _ENCODE([{"mime_type": i.mime_type, "data": base64.b64encode(i.data).decode("ascii")}
                                         for i in output.images]))
    parts.append("}")
    return "".join(parts)


def decode_output(text: str, image_data: bytes = b"", *, image_bytes: bool = True) -> NodeOutput:
    """The output `encode_output` wrote; its image (if it had one) carries `image_data`, and its
    `images` their bytes unless `image_bytes` is False (mime types only, as for `image`)."""
    doc = json.loads(text)
    version = doc.get("v")
    if version != CODEC_VERSION:
        raise ValueError(f"stored node output has codec version {version!r}; this flowexec reads {CODEC_VERSION}")
    mime = doc.get("image_mime_type")
    return NodeOutput(
        text=doc.get("text", ""),
        image=Image(data=image_data, mime_type=mime) if mime is not None else None,
        persona_name=doc.get("persona_name", ""),
        persona_description=doc.get("persona_description", ""),
        replace_prompt=doc.get("replace_prompt", ""),
        injected_prompt=doc.get("injected_prompt", ""),
        duration_ms=int(doc.get("duration_ms", 0)),
        cached=bool(doc.get("cached", False)),
        dry_run=bool(doc.get("dry_run", False)),
        provider_calls=tuple(_decode_call(call) for call in doc.get("provider_calls", ())),
        seed=int(doc["seed"]) if doc.get("seed") is not None else None,
        usage=TokenUsage(*doc["usage"]) if "usage" in doc else NO_USAGE,
        values=doc.get("values", {}),
        images=tuple(Image(base64.b64decode(i["data"]) if image_bytes else b"", i["mime_type"])
                     for i in doc.get("images", ())),
    )


def _encode_call(call: ProviderCall) -> dict[str, Any]:
    return {
        "provider_id": call.provider_id,
        "model": call.model,
        "purpose": call.purpose,
        "messages": [{"role": m.role, "content": m.content} for m in call.messages],
        "temperature": call.temperature,
        "max_tokens": call.max_tokens,
    }


def _decode_call(doc: dict[str, Any]) -> ProviderCall:
    return ProviderCall(
        provider_id=doc["provider_id"],
        model=doc["model"],
        purpose=doc["purpose"],
        messages=tuple(ChatMessage(role=m["role"], content=m["content"]) for m in doc.get("messages", ())),
        temperature=float(doc.get("temperature", 0.0)),
        max_tokens=int(doc.get("max_tokens", 0)),
    )
