"""A fake OpenAI-compatible server: POST …/chat/completions, JSON and SSE.

Any path prefix is accepted (`/mistral/v1/chat/completions`, `/glm/v1/…`), so one server
can stand in for every OpenAI-compatible provider; `ReceivedRequest.path` tells them apart.
Wire format: SSE `data: {chat.completion.chunk}` frames, then `data: [DONE]`; errors are
`{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from tests.fakes.llm_script import FakeLlmServer, ReceivedRequest, Reply, sse


class FakeOpenAI(FakeLlmServer):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/{prefix:.*}chat/completions", self.handle)]

    def presented_key(self, request: web.Request) -> str | None:
        auth = request.headers.get("Authorization", "")
        return auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None

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

    def _chunk(self, received: ReceivedRequest, delta: dict[str, Any], finish: str | None) -> bytes:
        return sse({
            "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": received.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })

    def start_frames(self, received: ReceivedRequest) -> list[bytes]:
        return [self._chunk(received, {"role": "assistant", "content": ""}, None)]

    def chunk_frame(self, received: ReceivedRequest, text: str) -> bytes:
        return self._chunk(received, {"content": text}, None)

    def end_frames(self, received: ReceivedRequest) -> list[bytes]:
        return [self._chunk(received, {}, "stop"), sse("[DONE]")]

    def stream_error_frame(self, reply: Reply) -> bytes:
        return sse({"error": {"message": reply.stream_error, "type": "server_error", "code": None}})
