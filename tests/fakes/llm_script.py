"""What a fake LLM server does per request (Reply), what it saw (ReceivedRequest), and the
vendor-neutral server core that records requests, scripts replies and counts disconnects.

Vendor subclasses (fake_openai, fake_anthropic) only render frames in their wire format.
"""

from __future__ import annotations

import abc
import asyncio
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.http_server import ScriptedFakeServer


@dataclass(frozen=True)
class Reply:
    """One scripted response. Status ≥ 400 answers with the vendor's error JSON."""

    chunks: tuple[str, ...] = ("Hello", ", ", "world")
    status: int = 200
    error_message: str = ""
    # Vendor error type (OpenAI `error.type` / Anthropic `error.type`) and code
    # (OpenAI `error.code` / Anthropic `error.details.error_code`).
    error_type: str = ""
    error_code: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0            # seconds before the response starts
    interval: float = 0.0         # seconds between text chunks
    drop_after: int | None = None  # abort the TCP connection after this many chunks
    hang_after: int | None = None  # go quiet after this many chunks until the client leaves
    finish: bool = True           # send the vendor's end-of-stream markers
    stream_error: str = ""        # send the vendor's in-stream error event after the chunks
    # Before chunk `gate_after`, wait until the test sets `gate` (proves chunks travel before the end).
    gate: asyncio.Event | None = field(default=None, compare=False)
    gate_after: int = 1
    # (input, output) tokens the reply reports; None: ~4 characters a token of the request's
    # message text and of the reply's text.
    usage: tuple[int, int] | None = None
    # OpenAI-compatible: report usage on the finishing chunk (Mistral) instead of a last chunk
    # of its own with no choices (OpenAI, with stream_options.include_usage).
    usage_on_finish: bool = False

    @classmethod
    def text(cls, text: str, pieces: int = 3, **kw: Any) -> Reply:
        size = max(1, -(-len(text) // pieces))
        return cls(chunks=tuple(text[i:i + size] for i in range(0, len(text), size)) or ("",), **kw)

    @classmethod
    def error(cls, status: int, message: str = "failure", **kw: Any) -> Reply:
        return cls(status=status, error_message=message, **kw)

    @property
    def full_text(self) -> str:
        return "".join(self.chunks)

    def tokens(self, received: ReceivedRequest) -> tuple[int, int]:
        if self.usage is not None:
            return self.usage
        return math.ceil(len(received.text) / 4), math.ceil(len(self.full_text) / 4)


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: Mapping[str, str]
    body: Mapping[str, Any]
    # A vendor that names the model and streaming in the URL (Bedrock) sets these.
    path_model: str | None = None
    path_stream: bool | None = None

    @property
    def model(self) -> str:
        return self.path_model if self.path_model is not None else str(self.body.get("model", ""))

    @property
    def stream(self) -> bool:
        return self.path_stream if self.path_stream is not None else bool(self.body.get("stream"))

    @property
    def output_schema(self) -> dict[str, Any] | None:
        """The JSON schema a structured request asked for: OpenAI's response_format json_schema,
        or the input_schema of the tool an Anthropic tool_choice forces."""
        response_format = self.body.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
            return dict(response_format["json_schema"]["schema"])
        forced = self.forced_tool
        for tool in self.body.get("tools") or ():
            if forced is not None and tool.get("name") == forced:
                return dict(tool["input_schema"])
        return None

    @property
    def forced_tool(self) -> str | None:
        """The tool an Anthropic `tool_choice: {"type": "tool", "name"}` forces."""
        choice = self.body.get("tool_choice")
        return str(choice["name"]) if isinstance(choice, dict) and choice.get("type") == "tool" else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """Every message's text (and the system text), as the fake counts input tokens."""
        parts = [str(self.body.get("system") or "")]
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts += [b.get("text", "") for b in content if isinstance(b, dict)]
        return "".join(parts)

    @property
    def prompt(self) -> str:
        """The last user message's text (string content or text blocks)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                content = message.get("content")
                if isinstance(content, str):
                    return content
                return "".join(b.get("text", "") for b in content if isinstance(b, dict))
        return ""


Responder = Callable[[ReceivedRequest], Reply]


def default_responder(request: ReceivedRequest) -> Reply:
    return Reply.text(f"[{request.model}] reply")


class FakeLlmServer(ScriptedFakeServer[Reply]):
    """Core of a fake LLM vendor; subclasses render the wire format."""

    stream_content_type = "text/event-stream"

    def __init__(self, *, accepted_keys: set[str] | None = None, responder: Responder | None = None) -> None:
        # When set, requests must authenticate with one of these keys (else 401).
        self.accepted_keys = accepted_keys
        self.responder = responder or default_responder
        self.requests: list[ReceivedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        # The same, per first path segment ("mistral" for /mistral/v1/chat/completions).
        self.in_flight_by: dict[str, int] = {}
        self.max_in_flight_by: dict[str, int] = {}
        self.disconnects = 0
        self._changed = asyncio.Condition()
        super().__init__()

    # -- test API ---------------------------------------------------------------------

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    # -- vendor hooks -----------------------------------------------------------------

    @abc.abstractmethod
    def routes(self) -> list[web.RouteDef]:
        ...

    @abc.abstractmethod
    def presented_key(self, request: web.Request, raw_body: bytes) -> str | None:
        """The key the request authenticates with (None: none, or a signature that does not verify)."""

    def unauthenticated(self, key: str | None) -> Reply:
        """The vendor's answer to a request whose key is not accepted."""
        return Reply.error(401, f"Incorrect API key provided: {key}", error_type="authentication_error")

    async def receive(self, request: web.Request, raw_body: bytes) -> ReceivedRequest:
        return ReceivedRequest(request.path, dict(request.headers), json.loads(raw_body))

    @abc.abstractmethod
    def error_body(self, reply: Reply) -> dict[str, Any]:
        ...

    def error_headers(self, reply: Reply) -> dict[str, str]:
        """Headers the vendor adds to an error response (beyond the scripted ones)."""
        return {}

    def refusal(self, received: ReceivedRequest) -> Reply | None:
        """The error the real API answers this request with, whatever is scripted; None = none."""
        return None

    @abc.abstractmethod
    def completion_body(self, received: ReceivedRequest, text: str) -> dict[str, Any]:
        ...

    @abc.abstractmethod
    def start_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        ...

    @abc.abstractmethod
    def chunk_frame(self, received: ReceivedRequest, text: str) -> bytes:
        ...

    @abc.abstractmethod
    def end_frames(self, received: ReceivedRequest, reply: Reply) -> list[bytes]:
        ...

    @abc.abstractmethod
    def stream_error_frame(self, reply: Reply) -> bytes:
        ...

    # -- core -------------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(self.routes())
        return app

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw_body = await request.read()
        received = await self.receive(request, raw_body)
        self.requests.append(received)
        key = self.presented_key(request, raw_body)
        if self.accepted_keys is not None and key not in self.accepted_keys:
            reply = self.unauthenticated(key)
        elif (refused := self.refusal(received)) is not None:
            reply = refused
        else:
            reply = self.script.popleft() if self.script else self.responder(received)
        route = received.path.split("/")[1]
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.in_flight_by[route] = self.in_flight_by.get(route, 0) + 1
        self.max_in_flight_by[route] = max(self.max_in_flight_by.get(route, 0), self.in_flight_by[route])
        await self._notify()
        dropped = False
        try:
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if reply.status >= 400:
                return web.json_response(self.error_body(reply), status=reply.status,
                                         headers={**self.error_headers(reply), **reply.headers})
            if not received.stream:
                return web.json_response(self.completion_body(received, reply.full_text), headers=reply.headers)
            response = web.StreamResponse(headers={"Content-Type": self.stream_content_type,
                                                   "Cache-Control": "no-cache", **reply.headers})
            await response.prepare(request)
            for frame in self.start_frames(received, reply):
                await response.write(frame)
            for index in range(len(reply.chunks) + 1):
                if reply.drop_after == index:
                    dropped = True
                    assert request.transport is not None
                    request.transport.abort()
                    return response
                if reply.hang_after == index:
                    await asyncio.sleep(3600)
                if reply.gate is not None and reply.gate_after == index:
                    await reply.gate.wait()
                if index == len(reply.chunks):
                    break
                if reply.interval and index:
                    await asyncio.sleep(reply.interval)
                await response.write(self.chunk_frame(received, reply.chunks[index]))
            if reply.stream_error:
                await response.write(self.stream_error_frame(reply))
            elif reply.finish:
                for frame in self.end_frames(received, reply):
                    await response.write(frame)
            await response.write_eof()
            return response
        except asyncio.CancelledError:
            if not dropped:
                self.disconnects += 1
            raise
        except ConnectionResetError:  # the client left while we were writing
            self.disconnects += 1
            return web.Response()
        finally:
            self.in_flight -= 1
            self.in_flight_by[route] -= 1
            # The handler may be cancelled: notify from a fresh task.
            asyncio.get_running_loop().create_task(self._notify())


def sse(data: Mapping[str, Any] | str, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()
