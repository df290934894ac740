"""A fake Fireworks FLUX workflow endpoint:
`POST /inference/v1/workflows/accounts/fireworks/models/{model}/text_to_image`.

`Accept: image/png|image/jpeg` → the image bytes with a `Finish-Reason` header;
`Accept: application/json` (or mode "json") → `{"id", "base64": [...], "finishReason", "seed"}`.
Point the provider at `{url}/inference/v1`.
"""

from __future__ import annotations

import base64
from typing import Any

from aiohttp import web

from tests.fakes.image_script import FakeImageServer, ImageReply, ImageRequest


class FakeFireworks(FakeImageServer):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/inference/v1/workflows/accounts/fireworks/models/{model}/text_to_image", self.handle)]

    @property
    def base_url(self) -> str:
        return f"{self.url}/inference/v1"

    def error_body(self, reply: ImageReply) -> Any:
        return {"error": {"object": "error", "type": "invalid_request_error", "message": reply.error_message}}

    def render(self, request: ImageRequest, reply: ImageReply) -> web.Response:
        finish = str(reply.extra.get("finishReason", "SUCCESS"))
        if reply.mode == "json" or request.headers.get("Accept") == "application/json":
            body = {"id": "fw-1", "base64": [base64.b64encode(reply.image).decode()] if reply.image else [],
                    "finishReason": finish, "seed": 42}
            return web.json_response(body, headers=reply.headers)
        return web.Response(body=reply.image, headers={"Content-Type": reply.content_type, "Finish-Reason": finish,
                                                       **reply.headers})
