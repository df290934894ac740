"""A fake Ollama: its OpenAI-compatible chat API at /v1/chat/completions (the path Ollama
serves it on), streaming in OpenAI's SSE format. Ollama takes no key and ignores the
Authorization header the openai SDK always sends; the fake records it, so a test can show that
no cloud key reached the local server."""

from __future__ import annotations

from aiohttp import web

from tests.fakes.fake_openai import FakeOpenAI


class FakeOllama(FakeOpenAI):
    def routes(self) -> list[web.RouteDef]:
        return [web.post("/v1/chat/completions", self.handle)]
