"""What a fake image vendor does per request (ImageReply), what it saw (ImageRequest), and
the server core that records requests and plays scripted replies.

Vendor subclasses (fake_hf_image, fake_glm_image, fake_fireworks) route and render their own
wire format; a reply they do not special-case is sent as is (status, headers, body).
"""

from __future__ import annotations

import abc
import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.http_server import ScriptedFakeServer


@dataclass(frozen=True)
class ImageReply:
    """One scripted response. `image` is the payload the vendor format wraps (raw, URL, base64);
    `body` (bytes) overrides everything and is sent verbatim with `content_type`."""

    image: bytes = b""
    status: int = 200
    content_type: str = "image/png"
    # Vendor error fields (rendered in the vendor's error JSON when status ≥ 400).
    error_message: str = ""
    error_code: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # extra JSON fields (estimated_time, …)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    # How the vendor hands the image over when it has a choice: "raw", "url", "base64", "json".
    mode: str = ""

    @classmethod
    def error(cls, status: int, message: str = "failure", **kw: Any) -> ImageReply:
        return cls(status=status, error_message=message, **kw)


@dataclass(frozen=True)
class ImageRequest:
    method: str
    path: str
    headers: Mapping[str, str]
    raw: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")


class FakeImageServer(ScriptedFakeServer[ImageReply]):
    """Core of a fake image vendor: records every request, answers from the script or the default."""

    def __init__(self, *, default: Callable[[ImageRequest], ImageReply] | None = None) -> None:
        self.default = default or (lambda _request: ImageReply.error(500, "no reply scripted"))
        self.requests: list[ImageRequest] = []
        self.files: dict[str, tuple[bytes, str]] = {}
        # Requests being answered now, and the most there were at once.
        self.in_flight = 0
        self.max_in_flight = 0
        super().__init__()

    def serve_file(self, name: str, data: bytes, content_type: str = "image/png") -> str:
        """Host `data` at /files/{name}; returns its absolute URL."""
        self.files[name] = (data, content_type)
        return f"{self.url}/files/{name}"

    def requests_to(self, path_part: str) -> list[ImageRequest]:
        return [r for r in self.requests if path_part in r.path]

    # -- vendor hooks -----------------------------------------------------------------------

    @abc.abstractmethod
    def routes(self) -> list[web.RouteDef]:
        ...

    @abc.abstractmethod
    def render(self, request: ImageRequest, reply: ImageReply) -> web.Response:
        """The vendor's success response for `reply`."""
        ...

    @abc.abstractmethod
    def error_body(self, reply: ImageReply) -> Any:
        ...

    # -- core -------------------------------------------------------------------------------

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.add_routes([*self.routes(), web.get("/files/{name}", self._file)])
        return app

    async def record(self, request: web.Request) -> tuple[ImageRequest, ImageReply]:
        received = ImageRequest(request.method, request.path, dict(request.headers), await request.read())
        self.requests.append(received)
        reply = self.script.popleft() if self.script else self.default(received)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return received, reply

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        received, reply = await self.record(request)
        if reply.body is not None:
            return web.Response(status=reply.status, body=reply.body, headers={"Content-Type": reply.content_type,
                                                                                  **reply.headers})
        if reply.status >= 400:
            return web.json_response(self.error_body(reply), status=reply.status, headers=reply.headers)
        return self.render(received, reply)

    async def _file(self, request: web.Request) -> web.Response:
        self.requests.append(ImageRequest(request.method, request.path, dict(request.headers), b""))
        found = self.files.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="no such file")
        data, content_type = found
        return web.Response(body=data, content_type=content_type)
