"""A fake HuggingFace inference server (hf-inference models path).

`POST /models/{owner}/{name}`: a JSON body `{"inputs", "parameters"}` is text-to-image and is
answered with the raw image (Content-Type from the reply); a non-JSON body is image-to-text
(Florence-2) and is answered with `[{"generated_text": …}]`. Errors are `{"error": "msg"}`
plus any extra fields (`estimated_time` on 503). Point the provider at `{url}/models`.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.fakes.image_script import FakeImageServer, ImageReply, ImageRequest


class FakeHfImage(FakeImageServer):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/models/{owner}/{name}", self.handle)]

    @property
    def base_url(self) -> str:
        return f"{self.url}/models"

    def error_body(self, reply: ImageReply) -> Any:
        return {"error": reply.error_message, **reply.extra}

    def render(self, request: ImageRequest, reply: ImageReply) -> web.Response:
        if not request.headers.get("Content-Type", "").startswith("application/json"):
            caption = reply.extra.get("generated_text", "a caption")
            return web.json_response([{"generated_text": caption}], headers=reply.headers)
        return web.Response(body=reply.image, headers={"Content-Type": reply.content_type, **reply.headers})
