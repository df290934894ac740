"""Runs an aiohttp application on 127.0.0.1 (or another local address), port 0, for the span of
an `async with`.

Handler cancellation is on: when a client drops the connection, the handler is cancelled,
which is how the fakes observe a client aborting an in-flight request.
"""

from __future__ import annotations

import abc
import ssl
from collections import deque
from types import TracebackType
from typing import Generic, Self, TypeVar

from aiohttp import web

ReplyT = TypeVar("ReplyT")


class LocalHttpServer:
    def __init__(self, app: web.Application, host: str = "127.0.0.1", ssl_context: ssl.SSLContext | None = None) -> None:
        self._app = app
        self._runner: web.AppRunner | None = None
        self.host = host
        self.port = 0
        self._ssl = ssl_context

    @property
    def url(self) -> str:
        return f"{'https' if self._ssl else 'http'}://{self.host}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, handler_cancellation=True, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, ssl_context=self._ssl)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()


class ScriptedFakeServer(abc.ABC, Generic[ReplyT]):
    """What every fake vendor shares: a local server on port 0 and a script of replies
    that answers the next requests in order. Subclasses build the vendor's app."""

    def __init__(self) -> None:
        self.script: deque[ReplyT] = deque()
        self._http = LocalHttpServer(self._make_app())

    @property
    def url(self) -> str:
        return self._http.url

    def queue(self, *replies: ReplyT) -> None:
        """Replies for the next requests, in order; afterwards the default answers."""
        self.script.extend(replies)

    @abc.abstractmethod
    def _make_app(self) -> web.Application: ...

    async def __aenter__(self) -> Self:
        await self._http.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.stop()
