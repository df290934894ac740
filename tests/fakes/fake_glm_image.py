"""A fake Z.ai image API: `POST /api/paas/v4/images/generations`.

Success is `{"created", "data": [{"url"}], "content_filter": [...]}` with the URL served by
this same fake under /files/ (mode "url", the documented one), or `{"data": [{"b64_json"}]}`
(mode "base64", tolerated). Errors are `{"error": {"code": "1302", "message"}}`. Point the
provider at `{url}/api/paas/v4`.
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

from aiohttp import web

from tests.fakes.image_script import FakeImageServer, ImageReply, ImageRequest


class FakeGlmImage(FakeImageServer):
    _ids = itertools.count(1)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/api/paas/v4/images/generations", self.handle)]

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/paas/v4"

    def error_body(self, reply: ImageReply) -> Any:
        return {"error": {"code": reply.error_code or str(reply.status), "message": reply.error_message}}

    def render(self, request: ImageRequest, reply: ImageReply) -> web.Response:
        created = int(time.time())
        if reply.mode == "base64":
            item = {"b64_json": base64.b64encode(reply.image).decode()}
        else:
            name = f"img-{next(self._ids)}.png"
            item = {"url": self.serve_file(name, reply.image, reply.content_type)}
        body = {"created": created, "data": [item], "content_filter": [{"role": "assistant", "level": 3}]}
        return web.json_response({**body, **reply.extra}, headers=reply.headers)
