"""A fake OpenAI-compatible server: POST …/chat/completions, JSON and SSE.

Any path prefix is accepted (`/mistral/v1/chat/completions`, `/glm/v1/…`), so one server
can stand in for every OpenAI-compatible provider; `ReceivedRequest.path` tells them apart.
Wire format: SSE `data: {chat.completion.chunk}` frames, then `data: [DONE]`; errors are
`{"error": {"message", "type", "param", "code"}}`. Usage, as OpenAI sends it: only when the
request asks (`stream_options.include_usage`), in one last chunk with empty `choices` and the
`usage` of the whole call; or, as Mistral does, on the finishing chunk (Reply.usage_on_finish).

Structured output: `response_format: {"type": "json_schema", "json_schema": {"name", "schema",
"strict"?}}` is checked as the real API checks it (a name of [a-zA-Z0-9_-]{1,64}, a schema
object, and under `strict: true` every object closed with all its properties required, else
400); the reply — the scripted text, JSON or not — arrives as ordinary content deltas.
"""

from __future__ import annotations

import re
import time
from typing import Any

from aiohttp import web

from tests.fakes.llm_script import FakeLlmServer, ReceivedRequest, Reply, sse


class FakeOpenAI(FakeLlmServer):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/{prefix:.*}chat/completions", self.handle)]

    def presented_key(self, request: web.Request, raw_body: bytes) -> str | None:
        auth = request.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

    def refusal(self, received: ReceivedRequest) -> Reply | None:
        response_format = received.body.get("response_format")
        if response_format is None or response_format.get("type") in ("text", "json_object"):
            return None
        spec = response_format.get("json_schema")
        if response_format.get("type") != "json_schema" or not isinstance(spec, dict):
            return Reply.error(400, "Invalid response_format", error_type="invalid_request_error")
        if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", str(spec.get("name", ""))):
            return Reply.error(400, "Invalid 'response_format.json_schema.name'", error_type="invalid_request_error")
        if not isinstance(spec.get("schema"), dict):
            return Reply.error(400, "Invalid 'response_format.json_schema.schema'", error_type="invalid_request_error")
        if spec.get("strict") and (problem := _not_strict(spec["schema"])):
            return Reply.error(400, f"Invalid schema for response_format '{spec['name']}': {problem}",
                               error_type="invalid_request_error")
        return None

    def error_body(self, reply: Reply) -> dict[str, Any]:
        return {"error": {"message": reply.error_message, "type": reply.error_type or "server_error",
                          "param": None, "code": reply.error_code}}

    def completion_body(self, received: ReceivedRequest, text: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
            "model": received.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    def _chunk(self, received: ReceivedRequest, delta: dict[str, Any] | None, finish: str | None,
               usage: dict[str, int] | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": received.model,
            "choices": [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        if usage is not None:
            chunk["usage"] = usage
        return sse(chunk)

    @staticmethod
    def _usage(received: ReceivedRequest, reply: Reply) -> dict[str, int]:
        prompt, completion = reply.tokens(received)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def start_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        return [self._chunk(received, {"role": "assistant", "content": ""}, None)]

    def chunk_frame(self, received: ReceivedRequest, text: str) -> bytes:
        return self._chunk(received, {"content": text}, None)

    def end_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        usage = self._usage(received, reply)
        if reply.usage_on_finish:
            return [self._chunk(received, {}, "stop", usage), sse("[DONE]")]
        frames = [self._chunk(received, {}, "stop")]
        if (received.body.get("stream_options") or {}).get("include_usage"):
            frames.append(self._chunk(received, None, None, usage))
        return [*frames, sse("[DONE]")]

    def stream_error_frame(self, reply: Reply) -> bytes:
        return sse({"error": {"message": reply.stream_error, "type": "server_error", "code": None}})


def _not_strict(schema: Any, where: str = "") -> str:
    """Why strict mode refuses `schema` ("" when it takes it)."""
    if isinstance(schema, list):
        return next((p for i, item in enumerate(schema) if (p := _not_strict(item, f"{where}[{i}]"))), "")
    if not isinstance(schema, dict):
        return ""
    properties = schema.get("properties") or {}
    if schema.get("type") == "object" or properties:
        if schema.get("additionalProperties") is not False:
            return f"In context=({where or 'root'}), 'additionalProperties' is required to be supplied and to be false"
        missing = sorted(set(properties) - set(schema.get("required") or ()))
        if missing:
            return f"In context=({where or 'root'}), 'required' is required to include every property; missing {missing}"
    for key, value in schema.items():
        if key == "properties":
            problem = next((p for name, sub in value.items() if (p := _not_strict(sub, f"{where}.{name}"))), "")
        elif key in ("items", "anyOf", "allOf", "oneOf", "prefixItems", "$defs", "definitions", "not"):
            subs = value.values() if isinstance(value, dict) and key in ("$defs", "definitions") else value
            problem = _not_strict(list(subs) if not isinstance(subs, dict) else subs, f"{where}.{key}")
        else:
            problem = ""
        if problem:
            return problem
    return ""
