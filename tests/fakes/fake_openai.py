"""A fake OpenAI-compatible server: POST …/chat/completions, JSON and SSE.

Any path prefix is accepted (`/mistral/v1/chat/completions`, `/glm/v1/…`), so one server
can stand in for every OpenAI-compatible provider; `ReceivedRequest.path` tells them apart.
Wire format: SSE `data: {chat.completion.chunk}` frames, then `data: [DONE]`; errors are
`{"error": {"message", "type", "param", "code"}}`. Usage, as OpenAI sends it: only when the
request asks (`stream_options.include_usage`), in one last chunk with empty `choices` and the
`usage` of the whole call; or, as Mistral does, on the finishing chunk (Reply.usage_on_finish).
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
