"""A fake Anthropic Messages server: POST /v1/messages, JSON and SSE.

Wire format: `event:`-named SSE frames message_start, content_block_start, ping,
content_block_delta (text_delta), content_block_stop, message_delta (stop_reason),
message_stop; in-stream errors are an `error` event. Usage as the API reports it:
`message_start.message.usage` with the input tokens (and output_tokens 1), `message_delta.usage`
with the cumulative output tokens. Error responses are
`{"type": "error", "error": {"type", "message", "details"?}, "request_id"}`. The key arrives as
`Authorization: Bearer` (SDK 2.x) or `x-api-key`.

Structured output: `tools` and a `tool_choice: {"type": "tool", "name"}` forcing one are checked
as the real API checks them (tool names [a-zA-Z0-9_-]{1,64}, an object input_schema, the forced
tool among the tools); the reply then streams as that tool's call — a tool_use block whose
input arrives as `input_json_delta` pieces (the scripted text), stop reason `tool_use`.

Sampling parameters are refused as the real API refuses them, whatever is scripted: any of
them under `anthropic-version: 2026-10-21` (the SDK 2.x default), and on models from Claude 4.7
on under any version. The event stream is the same on 2023-06-01 and 2026-10-21.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from tests.fakes.llm_script import FakeLlmServer, ReceivedRequest, Reply, sse

SAMPLING_PARAMETERS = ("temperature", "top_p", "top_k")
# The API version that still takes a temperature (on older models).
SAMPLING_API_VERSION = "2023-06-01"
# Models that refuse a temperature on every API version (the fake's own list, on purpose not
# the provider's pattern table, so that a wrong table is caught).
SAMPLING_REFUSED_MODELS = frozenset({
    "claude-opus-4-7", "claude-opus-4-8", "claude-opus-5", "claude-opus-5-5", "claude-sonnet-5", "claude-sonnet-5-5",
    "claude-haiku-5-5",
})

_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                404: "not_found_error", 429: "rate_limit_error", 529: "overloaded_error"}


class FakeAnthropic(FakeLlmServer):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v1/messages", self.handle)]

    def presented_key(self, request: web.Request, raw_body: bytes) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        return request.headers.get("x-api-key")

    def error_body(self, reply: Reply) -> dict[str, Any]:
        error: dict[str, Any] = {"type": reply.error_type or _ERROR_TYPES.get(reply.status, "api_error"),
                                 "message": reply.error_message}
        if reply.error_code:
            error["details"] = {"error_code": reply.error_code}
        return {"type": "error", "error": error, "request_id": "req_fake"}

    def refusal(self, received: ReceivedRequest) -> Reply | None:
        return self.tool_refusal(received) or self.sampling_refusal(received, self.api_version(received))

    def api_version(self, received: ReceivedRequest) -> str | None:
        return next((v for k, v in received.headers.items() if k.lower() == "anthropic-version"), None)

    def tool_refusal(self, received: ReceivedRequest) -> Reply | None:
        """Tools and tool_choice as the real API checks them."""
        tools = received.body.get("tools")
        choice = received.body.get("tool_choice")
        if tools is None and choice is None:
            return None
        names = []
        for tool in tools or ():
            name = str(tool.get("name", ""))
            if not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name):
                return Reply.error(400, f"tools.{len(names)}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
            schema = tool.get("input_schema")
            if not isinstance(schema, dict) or schema.get("type") != "object":
                return Reply.error(400, f"tools.{len(names)}.input_schema.type: Input should be 'object'")
            names.append(name)
        if isinstance(choice, dict) and choice.get("type") == "tool" and choice.get("name") not in names:
            return Reply.error(400, f"tool_choice: tool '{choice.get('name')}' not found in tools")
        return None

    def sampling_refusal(self, received: ReceivedRequest, version: str | None) -> Reply | None:
        sent = [name for name in SAMPLING_PARAMETERS if name in received.body]
        if not sent:
            return None
        if version != SAMPLING_API_VERSION:
            return Reply.error(400, f"{sent[0]}: Extra inputs are not permitted")
        if self.base_model(received.model) in SAMPLING_REFUSED_MODELS:
            return Reply.error(400, f"`{sent[0]}` is deprecated for this model.")
        return None

    def base_model(self, model: str) -> str:
        return model

    def _message(self, received: ReceivedRequest, content: list[dict[str, Any]], stop: str | None,
                 input_tokens: int, output_tokens: int) -> dict[str, Any]:
        return {"id": "msg_fake", "type": "message", "role": "assistant", "model": received.model,
                "content": content, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                          "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}

    def completion_body(self, received: ReceivedRequest, text: str) -> dict[str, Any]:
        tool = received.forced_tool
        if tool is None:
            return self._message(received, [{"type": "text", "text": text}], "end_turn", 10, 5)
        block = {"type": "tool_use", "id": "toolu_fake", "name": tool, "input": json.loads(text)}
        return self._message(received, [block], "tool_use", 10, 5)

    # -- the stream: Anthropic events, each rendered by `frame` (SSE here; Bedrock wraps them) --

    def frame(self, event: dict[str, Any]) -> bytes:
        return sse(event, str(event["type"]))

    def _first_block(self, received: ReceivedRequest) -> dict[str, Any]:
        tool = received.forced_tool
        if tool is None:
            return {"type": "text", "text": ""}
        return {"type": "tool_use", "id": "toolu_fake", "name": tool, "input": {}}

    def start_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        input_tokens, _ = reply.tokens(received)
        return [
            self.frame({"type": "message_start", "message": self._message(received, [], None, input_tokens, 1)}),
            self.frame({"type": "content_block_start", "index": 0, "content_block": self._first_block(received)}),
            self.frame({"type": "ping"}),
        ]

    def chunk_frame(self, received: ReceivedRequest, text: str) -> bytes:
        delta = ({"type": "text_delta", "text": text} if received.forced_tool is None else
                 {"type": "input_json_delta", "partial_json": text})
        return self.frame({"type": "content_block_delta", "index": 0, "delta": delta})

    def end_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        _, output_tokens = reply.tokens(received)
        stop = "end_turn" if received.forced_tool is None else "tool_use"
        return [
            self.frame({"type": "content_block_stop", "index": 0}),
            self.frame({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                        "usage": {"output_tokens": output_tokens}}),
            self.frame(self.message_stop()),
        ]

    def message_stop(self) -> dict[str, Any]:
        return {"type": "message_stop"}

    def stream_error_frame(self, reply: Reply) -> bytes:
        return self.frame({"type": "error", "error": {"type": "overloaded_error", "message": reply.stream_error}})
