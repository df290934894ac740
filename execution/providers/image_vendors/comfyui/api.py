"""ComfyUI's HTTP routes (server.py), one method each, over the image vendors' shared httpx2 client.

    POST /prompt      {"prompt": workflow, "client_id", "prompt_id"} → {"prompt_id", "number", "node_errors"}
                      (ComfyUI uses the prompt_id it is given; versions before it was honoured make their own)
    GET  /queue       {"queue_running": [[number, prompt_id, …]], "queue_pending": [...]}
    GET  /history/ID  {ID: {"prompt", "outputs": {node: {"images": [{filename, subfolder, type}]}},
                            "status": {"status_str", "completed", "messages": [[type, data], …]}}} or {}
    GET  /view        ?filename&subfolder&type → the file's bytes
    POST /interrupt   {"prompt_id"}: stops it if it is the one running (older ComfyUI: whatever runs)
    POST /queue       {"delete": [prompt_id]}: removes it if it still waits

No key: ComfyUI has no authentication. Statuses go through errors.comfy_status_error,
transport failures through http.transport_errors; bodies are read with a byte cap.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from execution.errors import ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.comfyui.errors import comfy_status_error
from execution.providers.image_vendors.http import SharedClient, parse_json, read_capped, read_prefix, transport_errors

JSON_CAP = 32 * 1024 * 1024  # a history entry repeats the whole workflow
FILE_CAP = 2 * MAX_IMAGE_BYTES_IN


class QueueState(enum.Enum):
    RUNNING = "running"
    PENDING = "pending"
    ABSENT = "absent"


class ComfyApi:
    def __init__(self, endpoint: Endpoint, client: SharedClient) -> None:
        self.endpoint = endpoint
        self._client = client

    async def submit(self, workflow: Mapping[str, Any], *, client_id: str, prompt_id: str) -> str:
        """Queue the workflow; the prompt id ComfyUI runs it under (ours, unless it is too old to take one)."""
        body = await self._json("POST", "prompt", "submission",
                                {"prompt": dict(workflow), "client_id": client_id, "prompt_id": prompt_id})
        given = body.get("prompt_id") if isinstance(body, dict) else None
        if not isinstance(given, str) or not given:
            raise ProviderError("ComfyUI accepted the workflow but returned no prompt_id", retryable=False)
        return given

    async def queue_state(self, prompt_id: str) -> QueueState:
        body = await self._json("GET", "queue", "queue read")
        if not isinstance(body, dict):
            return QueueState.ABSENT
        for key, state in (("queue_running", QueueState.RUNNING), ("queue_pending", QueueState.PENDING)):
            items = body.get(key)
            if isinstance(items, list) and any(isinstance(i, list) and len(i) > 1 and i[1] == prompt_id
                                               for i in items):
                return state
        return QueueState.ABSENT

    async def history(self, prompt_id: str) -> Mapping[str, Any] | None:
        """The prompt's history entry; None while ComfyUI has none (queued, running, or never seen)."""
        body = await self._json("GET", f"history/{prompt_id}", "history read")
        entry = body.get(prompt_id) if isinstance(body, dict) else None
        return entry if isinstance(entry, dict) else None

    async def view(self, file: Mapping[str, Any]) -> Image:
        """One result file (a history `images` item) as bytes."""
        params = {"filename": str(file.get("filename", "")), "subfolder": str(file.get("subfolder") or ""),
                  "type": str(file.get("type") or "output")}
        async with transport_errors(self.endpoint, "file download"):
            async with self._client.get().stream("GET", self.endpoint.url("view"), params=params) as response:
                if response.status_code >= 400:
                    raise comfy_status_error(response.status_code, await read_prefix(response), response.headers)
                data = await read_capped(response, FILE_CAP, provider_id=self.endpoint.provider_id, what="file")
                mime = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return Image(data, mime or "application/octet-stream")

    async def interrupt(self, prompt_id: str) -> None:
        await self._json("POST", "interrupt", "interrupt", {"prompt_id": prompt_id})

    async def dequeue(self, prompt_id: str) -> None:
        await self._json("POST", "queue", "queue delete", {"delete": [prompt_id]})

    async def _json(self, method: str, path: str, what: str, body: Mapping[str, Any] | None = None) -> object:
        """One request; the reply's JSON (None when it is empty or not JSON)."""
        async with transport_errors(self.endpoint, what):
            async with self._client.get().stream(method, self.endpoint.url(path), json=body) as response:
                if response.status_code >= 400:
                    raise comfy_status_error(response.status_code, await read_prefix(response), response.headers)
                return parse_json(await read_capped(response, JSON_CAP, provider_id=self.endpoint.provider_id,
                                                    what=f"{what} reply"))
