"""A fake ComfyUI: real HTTP and websocket on 127.0.0.1:0 (aiohttp, as ComfyUI itself),
speaking ComfyUI's routes and messages (server.py, execution.py, main.py's prompt worker).

    POST /prompt      validates (a node without class_type, or of class "MissingNode", is
                      refused with ComfyUI's 400 `node_errors`), honours `prompt_id` and
                      `client_id`, queues it → {"prompt_id", "number", "node_errors": {}}
    GET  /queue       {"queue_running": [[number, id, prompt, extra, outputs]], "queue_pending": [...]}
    GET  /history/ID  ComfyUI's entry once the prompt ended ({} before)
    GET  /view        a written file's PNG bytes
    POST /interrupt   {"prompt_id"}: interrupts the running prompt if it is that one (no id: any)
    POST /queue       {"delete": [...]}: removes waiting prompts
    GET  /ws          ?clientId=…: `status` on connect, then the prompt messages of that client

One worker runs queued prompts in order, node by node in the workflow's order: `executing` for
each; a node with a `steps` input sends `progress` 1..`steps` (this fake's `steps` when set, else
the node's) with `prompt_id`; a SaveImage/PreviewImage node writes a PNG (its colour from the
workflow's seed) and sends `executed` with it. Then `execution_success`, the history entry, and
`executing` with node null — in that order, as ComfyUI does (a client asking the history right
after `execution_success` can find nothing yet).

Knobs: `gate` (cleared: the sampler waits after its first step, so a test can act mid-run),
`paused` (cleared: nothing starts; prompts stay pending), `silent` (the websocket stays open
and says nothing), `fail_node` (that node raises), `bad_gateway` (that many submissions are
queued but answered 502, as a proxy losing ComfyUI's reply). It records what it was sent:
`submitted`, `interrupts`, `deletes`, `views`, and sets `progressed` at the first progress step.
`drop_sockets()` closes every websocket mid-run.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import WSMsgType, web
from PIL import Image

from tests.fakes.http_server import LocalHttpServer


@dataclass
class FakePrompt:
    number: int
    prompt_id: str
    workflow: dict[str, Any]
    client_id: str
    interrupted: asyncio.Event = field(default_factory=asyncio.Event)

    def queue_item(self) -> list[Any]:
        return [self.number, self.prompt_id, self.workflow, {"client_id": self.client_id}, []]


def png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def seed_colour(workflow: dict[str, Any]) -> tuple[int, int, int]:
    seeds = [node["inputs"]["seed"] for node in workflow.values() if "seed" in node.get("inputs", {})]
    seed = int(seeds[0]) if seeds else 0
    return seed % 256, (seed // 256) % 256, (seed // 65536) % 256


class FakeComfyUI:
    def __init__(self) -> None:
        app = web.Application()
        app.add_routes([
            web.post("/prompt", self._post_prompt), web.get("/queue", self._get_queue),
            web.post("/queue", self._post_queue), web.get("/history/{prompt_id}", self._get_history),
            web.get("/view", self._view), web.post("/interrupt", self._interrupt), web.get("/ws", self._ws),
        ])
        self._http = LocalHttpServer(app)
        self._numbers = itertools.count()
        self._files = itertools.count(1)
        self.pending: list[FakePrompt] = []
        self.running: FakePrompt | None = None
        self.history: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self.socket_connections = 0
        # Knobs.
        self.steps: int | None = 3
        self.gate = asyncio.Event()
        self.gate.set()
        self.paused = asyncio.Event()
        self.paused.set()  # set: running
        self.silent = False
        self.fail_node: str | None = None
        self.bad_gateway = 0
        # Records.
        self.submitted: list[dict[str, Any]] = []
        self.interrupts: list[dict[str, Any]] = []
        self.deletes: list[list[str]] = []
        self.views: list[dict[str, str]] = []
        self.progressed = asyncio.Event()
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return self._http.url

    async def __aenter__(self) -> Self:
        await self._http.start()
        self._worker = asyncio.create_task(self._work())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._worker is not None:
            self._worker.cancel()
        await self.drop_sockets()
        await self._http.stop()

    async def drop_sockets(self) -> None:
        """Close every websocket, as a proxy or a restart would (clients may reconnect)."""
        for socket in list(self.sockets.values()):
            await socket.close()

    # -- HTTP -------------------------------------------------------------------------------

    async def _post_prompt(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.submitted.append(body)
        workflow = body.get("prompt")
        if not isinstance(workflow, dict):
            error = {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
                     "extra_info": {}}
            return web.json_response({"error": error, "node_errors": {}}, status=400)
        node_errors = {node_id: {"errors": [{"type": "invalid_node", "message": "Node class not found",
                                             "details": f"see http://{request.host}/object_info"}],
                                 "dependent_outputs": [], "class_type": node.get("class_type")}
                       for node_id, node in workflow.items()
                       if not isinstance(node, dict) or node.get("class_type") in (None, "MissingNode")}
        if node_errors:
            error = {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
                     "details": "", "extra_info": {}}
            return web.json_response({"error": error, "node_errors": node_errors}, status=400)
        prompt = FakePrompt(next(self._numbers), str(body.get("prompt_id") or uuid.uuid4()), workflow,
                            str(body.get("client_id") or ""))
        self.pending.append(prompt)
        self._wake.set()
        await self._broadcast_status()
        if self.bad_gateway:
            self.bad_gateway -= 1
            return web.Response(status=502, text="Bad Gateway")
        return web.json_response({"prompt_id": prompt.prompt_id, "number": prompt.number, "node_errors": {}})

    async def _get_queue(self, request: web.Request) -> web.Response:
        running = [self.running.queue_item()] if self.running is not None else []
        return web.json_response({"queue_running": running, "queue_pending": [p.queue_item() for p in self.pending]})

    async def _post_queue(self, request: web.Request) -> web.Response:
        body = await request.json()
        if "delete" in body:
            self.deletes.append(list(body["delete"]))
            self.pending = [p for p in self.pending if p.prompt_id not in body["delete"]]
        return web.Response(status=200)

    async def _get_history(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self.history.get(prompt_id)
        return web.json_response({prompt_id: entry} if entry is not None else {})

    async def _view(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        self.views.append(query)
        data = self.files.get(query.get("filename", ""))
        if data is None or query.get("type", "output") != "output":
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/png")

    async def _interrupt(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        self.interrupts.append(body)
        wanted = body.get("prompt_id")
        if self.running is not None and (not wanted or wanted == self.running.prompt_id):
            self.running.interrupted.set()
        return web.Response(status=200)

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        sid = request.query.get("clientId") or uuid.uuid4().hex
        self.sockets[sid] = socket
        self.socket_connections += 1
        try:
            await self._send("status", {"status": self._queue_info(), "sid": sid}, sid)
            async for message in socket:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            if self.sockets.get(sid) is socket:
                del self.sockets[sid]
        return socket

    # -- the worker -------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            await self.paused.wait()
            if not self.pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            self.running = self.pending.pop(0)
            try:
                await self._execute(self.running)
            finally:
                self.running = None

    async def _execute(self, prompt: FakePrompt) -> None:
        pid, sid = prompt.prompt_id, prompt.client_id
        messages: list[list[Any]] = []

        async def note(kind: str, data: dict[str, Any]) -> None:  # ComfyUI's add_message: history and socket
            data = {**data, "prompt_id": pid, "timestamp": int(time.time() * 1000)}
            messages.append([kind, data])
            await self._send(kind, data, sid)

        await note("execution_start", {})
        await note("execution_cached", {"nodes": []})
        outputs: dict[str, Any] = {}
        executed: list[str] = []
        for node_id, node in prompt.workflow.items():
            kind = node.get("class_type")
            await self._send("executing", {"node": node_id, "display_node": node_id, "prompt_id": pid}, sid)
            if "steps" in node.get("inputs", {}):
                steps = self.steps if self.steps is not None else int(node["inputs"]["steps"])
                for value in range(1, steps + 1):
                    await self._send("progress", {"value": value, "max": steps, "prompt_id": pid, "node": node_id},
                                     sid)
                    self.progressed.set()
                    await _first(self.gate.wait(), prompt.interrupted.wait())
                    if prompt.interrupted.is_set():
                        break
            if prompt.interrupted.is_set():
                await note("execution_interrupted", {"node_id": node_id, "node_type": kind, "executed": executed})
                self._finish(prompt, outputs, messages, ok=False)
                return
            if node_id == self.fail_node:
                await note("execution_error", {
                    "node_id": node_id, "node_type": kind, "executed": executed,
                    "exception_message": "checkpoint sd3.5_large.safetensors not found at http://10.0.0.5:8188/models/checkpoints",
                    "exception_type": "FileNotFoundError", "traceback": ["..."], "current_inputs": {},
                    "current_outputs": {}})
                self._finish(prompt, outputs, messages, ok=False)
                return
            if kind in ("SaveImage", "PreviewImage"):
                filename = f"ComfyUI_{next(self._files):05}_.png"
                self.files[filename] = png(seed_colour(prompt.workflow))
                result = {"images": [{"filename": filename, "subfolder": "", "type": "output"}]}
                outputs[node_id] = result
                await self._send("executed", {"node": node_id, "display_node": node_id, "output": result,
                                              "prompt_id": pid}, sid)
            executed.append(node_id)
        await note("execution_success", {})
        await asyncio.sleep(0)  # the history is written after the success message went out
        self._finish(prompt, outputs, messages, ok=True)
        await self._send("executing", {"node": None, "prompt_id": pid}, sid)

    def _finish(self, prompt: FakePrompt, outputs: dict[str, Any], messages: list[list[Any]], *, ok: bool) -> None:
        self.history[prompt.prompt_id] = {
            "prompt": prompt.queue_item(), "outputs": outputs,
            "status": {"status_str": "success" if ok else "error", "completed": ok, "messages": messages},
            "meta": {},
        }

    def _queue_info(self) -> dict[str, Any]:
        return {"exec_info": {"queue_remaining": len(self.pending) + (self.running is not None)}}

    async def _broadcast_status(self) -> None:
        for sid in list(self.sockets):
            await self._send("status", {"status": self._queue_info()}, sid)

    async def _send(self, kind: str, data: dict[str, Any], sid: str) -> None:
        socket = self.sockets.get(sid)
        if socket is None or self.silent or socket.closed:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            await socket.send_json({"type": kind, "data": data})


async def _first(*waits: Any) -> None:
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
