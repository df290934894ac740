"""A custom_script endpoint on 127.0.0.1 (or another loopback address), port 0: a real HTTP
server the node POSTs to.

    POST /run             replies {"echo": <the body received>, "answer": 42}
    POST /list            replies a JSON list (the node's `result` output)
    ANY  /redirect        307 (or `?status=`) to `?to=`
    ANY  /loop            302 to itself
    POST /slow            replies after `slow_seconds`
    POST /big             streams 64 KiB chunks without end (the node must stop reading)
    POST /text            replies text that is not JSON
    POST /fail            HTTP 500 whose body echoes the Authorization header it got

Every request is recorded (method, path, headers, body); `aborted` counts responses whose
client went away before the end (the /big stream, the /slow reply).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.http_server import LocalHttpServer

CHUNK = b"x" * 65536


@dataclass(frozen=True)
class ScriptRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeScript(LocalHttpServer):
    def __init__(self, host: str = "127.0.0.1", slow_seconds: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.requests: list[ScriptRequest] = []
        self.aborted = 0
        self.slow_seconds = slow_seconds
        app = web.Application()
        app.add_routes([
            web.post("/run", self._run), web.post("/list", self._list), web.route("*", "/redirect", self._redirect),
            web.route("*", "/loop", self._loop), web.post("/slow", self._slow), web.post("/big", self._big),
            web.post("/text", self._text), web.post("/fail", self._fail),
        ])
        super().__init__(app, host, ssl_context)

    async def _record(self, request: web.Request) -> ScriptRequest:
        seen = ScriptRequest(request.method, request.path_qs, dict(request.headers), await request.read())
        self.requests.append(seen)
        return seen

    async def _run(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        return web.json_response({"echo": seen.json, "answer": 42})

    async def _list(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.json_response([1, 2, 3])

    async def _redirect(self, request: web.Request) -> web.Response:
        await self._record(request)
        status = int(request.query.get("status", "307"))
        return web.Response(status=status, headers={"Location": request.query["to"]})

    async def _loop(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(status=302, headers={"Location": "/loop"})

    async def _slow(self, request: web.Request) -> web.Response:
        await self._record(request)
        try:
            await asyncio.sleep(self.slow_seconds)
        except asyncio.CancelledError:
            self.aborted += 1
            raise
        return web.json_response({"late": True})

    async def _big(self, request: web.Request) -> web.StreamResponse:
        await self._record(request)
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            while True:
                await response.write(CHUNK)
        except (ConnectionError, asyncio.CancelledError):
            self.aborted += 1
            raise

    async def _text(self, request: web.Request) -> web.Response:
        await self._record(request)
        return web.Response(text="<html>not json</html>", content_type="text/html")

    async def _fail(self, request: web.Request) -> web.Response:
        seen = await self._record(request)
        return web.json_response({"error": f"broken; you sent {seen.headers.get('Authorization', 'nothing')}"},
                                 status=500)
