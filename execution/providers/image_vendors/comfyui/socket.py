"""One websocket per ComfyUI server, shared by every prompt we follow there.

ComfyUI sends a prompt's messages only to the client id it was submitted with, over that
client's `/ws?clientId=…`. So this process has one client id per server and one socket: the
reader task dispatches each message to the watch of its `prompt_id` (a progress message
without one — older ComfyUI — goes to the prompt ComfyUI last said it was running). Prompts
nobody watches are ignored.

The socket is opened by the first watch and kept while prompts are watched, plus an idle
grace (back-to-back prompts reuse it); a socket that drops is reopened after a short delay
with the same client id (ComfyUI then routes the prompt's messages to the new one), and its
watchers hear `SocketDown` at once so they can ask the history instead of waiting. Anything
the socket raises stays here (logged on one line): a watcher only ever sees messages or
silence — and silence is what the runner's history polling covers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from execution.providers.image_vendors.comfyui.messages import (
    ComfyMessage,
    Executing,
    Progress,
    SocketDown,
    Started,
    parse_message,
)

log = logging.getLogger("flowexec.providers.comfyui")

# Previews arrive as binary frames; a frame past this closes the socket (we then poll).
MAX_FRAME_BYTES = 16 * 1024 * 1024


class PromptWatch:
    """The messages of one prompt, in arrival order."""

    def __init__(self, prompt_id: str) -> None:
        self.prompt_id = prompt_id
        self._messages: asyncio.Queue[ComfyMessage] = asyncio.Queue()

    def put(self, message: ComfyMessage) -> None:
        self._messages.put_nowait(message)

    async def next(self, timeout: float) -> ComfyMessage | None:
        """The next message, or None when none came within `timeout` seconds.

        asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation that arrives
        as the message does, and a cancelled node would then wait on."""
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                return await self._messages.get()
        except TimeoutError:
            return None


class ComfySocket:
    def __init__(self, ws_url: str, *, reconnect_delay: float = 1.0, idle_seconds: float = 30.0,
                 open_timeout: float = 10.0) -> None:
        self._url = ws_url
        self._reconnect_delay = reconnect_delay
        self._idle_seconds = idle_seconds
        self._open_timeout = open_timeout
        self._watches: dict[str, list[PromptWatch]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._idle: asyncio.TimerHandle | None = None
        self._running_prompt = ""
        # Set once the current connection attempt has an outcome (open, or failed).
        self._attempted = asyncio.Event()
        self.connected = False
        self.connections = 0  # sockets opened so far (tests and logs)

    @asynccontextmanager
    async def watch(self, prompt_id: str) -> AsyncIterator[PromptWatch]:
        """Follow `prompt_id` for the span of the block; the socket is opened if it is not."""
        watch = PromptWatch(prompt_id)
        self._watches.setdefault(prompt_id, []).append(watch)
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self._reader is None or self._reader.done():
            self._attempted.clear()
            self._reader = asyncio.create_task(self._read(), name="flowexec-comfyui-socket")
        try:
            yield watch
        finally:
            self._unwatch(watch)

    def rewatch(self, watch: PromptWatch, prompt_id: str) -> None:
        """Route `prompt_id`'s messages to `watch` too (ComfyUI chose another id than ours)."""
        self._watches.setdefault(prompt_id, []).append(watch)

    async def wait_attempted(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) for the socket's first connection attempt; True when it is open."""
        with suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._attempted.wait()
        return self.connected

    async def aclose(self) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with suppress(asyncio.CancelledError):
                await reader

    def _unwatch(self, watch: PromptWatch) -> None:
        for prompt_id, watches in list(self._watches.items()):
            if watch in watches:
                watches.remove(watch)
                if not watches:
                    del self._watches[prompt_id]
        if not self._watches and self._reader is not None and self._idle is None:
            self._idle = asyncio.get_running_loop().call_later(self._idle_seconds, self._stop_if_idle)

    def _stop_if_idle(self) -> None:
        self._idle = None
        if not self._watches and self._reader is not None:
            self._reader.cancel()
            self._reader = None

    async def _read(self) -> None:
        from websockets.asyncio.client import connect

        while True:
            try:
                async with connect(self._url, open_timeout=self._open_timeout, max_size=MAX_FRAME_BYTES,
                                   user_agent_header="flowexec") as socket:
                    self.connected = True
                    self.connections += 1
                    self._attempted.set()
                    async for frame in socket:
                        message = parse_message(frame)
                        if message is not None:
                            self._dispatch(message)
                log.info("comfyui websocket closed by the server")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the socket is best effort: polling covers what it misses
                log.info("comfyui websocket unavailable (%s)", type(exc).__name__)
            finally:
                was_connected, self.connected = self.connected, False
                self._attempted.set()
                if was_connected:
                    self._broadcast(SocketDown())
            await asyncio.sleep(self._reconnect_delay)

    def _dispatch(self, message: ComfyMessage) -> None:
        if isinstance(message, Started | Executing) and message.prompt_id:
            self._running_prompt = message.prompt_id
        prompt_id = message.prompt_id
        if not prompt_id and isinstance(message, Progress):
            prompt_id = self._running_prompt
        for watch in self._watches.get(prompt_id, ()):
            watch.put(message)

    def _broadcast(self, message: ComfyMessage) -> None:
        for watches in self._watches.values():
            for watch in watches:
                watch.put(message)
