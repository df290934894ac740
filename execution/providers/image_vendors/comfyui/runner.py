"""Runs one workflow on ComfyUI: submit it once, follow it to its end, return its files as bytes.

    submit   The prompt id is derived from the job (run, node, attempt, step): uuid5 of its key.
             Before POST /prompt we ask ComfyUI whether it already has that id (queue, then
             history); if so we follow it instead of submitting again. A retried submission
             (a dropped reply, a 502 from a proxy after ComfyUI queued it) and a resubmitted
             job thus run the workflow once.
    follow   Messages come through the server's shared socket (socket.py): `progress` becomes
             the job's progress (label: the workflow node's title, step: its id), an
             `execution_error` fails the node with ComfyUI's message, `execution_success` (or
             `executing` with no node) ends it. When the socket is silent for `poll_seconds`
             or drops, we read the queue and the history instead — a prompt in neither is gone;
             one in the history is finished, well or not (its status messages say how). The
             whole wait is bounded by the call policy's timeout.
    fetch    The history entry is the result: the output node's files (every node's when the
             chunk names none) downloaded through /view, with retries. Never a ComfyUI URL:
             ComfyUI has no authentication.
    abandon  Leaving before the end (the node cancelled, a timeout, an error of ours): a prompt
             still queued is deleted from the queue, a running one interrupted (with its id, so
             a current ComfyUI stops only ours; checked against the queue first, so an older
             one that interrupts whatever runs is not told to while another prompt runs).
             Bounded by CANCEL_SECONDS and best effort: its failures are logged, not raised.

One concurrency slot (per provider id, as every vendor) is held from submission to the last file.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from execution.errors import NodeError, NodeTimeout
from execution.outputs import Image
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.comfyui import errors
from execution.providers.image_vendors.comfyui.api import ComfyApi, QueueState
from execution.providers.image_vendors.comfyui.chunk import OUTPUT_KEYS, OutputMapping
from execution.providers.image_vendors.comfyui.messages import (
    Executing,
    Failed,
    Interrupted,
    Progress,
    SocketDown,
    Succeeded,
)
from execution.providers.image_vendors.comfyui.socket import ComfySocket, PromptWatch
from execution.providers.image_vendors.generation import GenerationJob
from execution.providers.image_vendors.http import SharedClient
from execution.providers.resilience import CallPolicy, ConcurrencyLimits, call_with_retries

log = logging.getLogger("flowexec.providers.comfyui")
T = TypeVar("T")

PROMPT_NAMESPACE = uuid.UUID("4a0c6c35-0f4e-4d0f-9d8c-6f1e2b7a9c11")
CANCEL_SECONDS = 5.0
# How long a submission waits for the socket to open, so that no early message is missed
# (a socket that cannot open costs this once per prompt; polling then does the work).
SOCKET_WAIT_SECONDS = 2.0
# After ComfyUI said "done", its history may lag a moment: asked again this often.
SETTLE_SECONDS = 0.05


def prompt_id_for(job: GenerationJob) -> str:
    """The prompt id of a job: the same for a resubmission, different for any other execution."""
    return str(uuid.uuid5(PROMPT_NAMESPACE, job.key))


def ws_url(base_url: str) -> str:
    return base_url.rstrip("/").replace("https://", "wss://", 1).replace("http://", "ws://", 1) + "/ws"


@dataclass(frozen=True, slots=True)
class ComfyResult:
    prompt_id: str
    files: tuple[Image, ...]
    # True when the job was already on ComfyUI and this call only followed it.
    resumed: bool = False


class ComfyRunner:
    def __init__(self, endpoint: Endpoint, client: SharedClient, policy: CallPolicy, limits: ConcurrencyLimits,
                 *, poll_seconds: float = 2.0) -> None:
        self.endpoint = endpoint
        self.api = ComfyApi(endpoint, client)
        self.client_id = uuid.uuid4().hex
        self.poll_seconds = poll_seconds
        self._policy = policy
        self._limits = limits
        self._socket: ComfySocket | None = None

    @property
    def socket(self) -> ComfySocket:
        if self._socket is None:
            url = f"{ws_url(self.endpoint.require_base_url())}?clientId={self.client_id}"
            self._socket = ComfySocket(url)
        return self._socket

    async def run(self, workflow: Mapping[str, Any], output: OutputMapping | None, job: GenerationJob,
                  titles: Mapping[str, str] | None = None) -> ComfyResult:
        """Run `workflow` for `job` (see the module doc); `titles` name its nodes in progress events."""
        self.endpoint.require_base_url()
        prompt_id = prompt_id_for(job)
        async with self._limits.slot(self.endpoint.provider_id), self.socket.watch(prompt_id) as watch:
            await self.socket.wait_attempted(SOCKET_WAIT_SECONDS)
            done = False
            try:
                given, resumed = await self._retrying(lambda: self._submit(workflow, prompt_id), "submission")
                if given != prompt_id:
                    log.warning("comfyui ignored our prompt id (an old ComfyUI): resubmissions will not be idempotent")
                    self.socket.rewatch(watch, given)
                    prompt_id = given
                entry = await self._follow(watch, prompt_id, job, titles or {})
                files = await self._retrying(lambda: self._fetch(entry, output), "file download")
                done = True
                return ComfyResult(prompt_id, files, resumed)
            finally:
                if not done:
                    await self._abandon(prompt_id)

    async def aclose(self) -> None:
        if self._socket is not None:
            await self._socket.aclose()

    # -- the steps ------------------------------------------------------------------------

    async def _submit(self, workflow: Mapping[str, Any], prompt_id: str) -> tuple[str, bool]:
        if await self.api.queue_state(prompt_id) is not QueueState.ABSENT or await self.api.history(prompt_id):
            log.info("comfyui prompt %s is already there: following it, not submitting again", prompt_id)
            return prompt_id, True
        return await self.api.submit(workflow, client_id=self.client_id, prompt_id=prompt_id), False

    async def _follow(self, watch: PromptWatch, prompt_id: str, job: GenerationJob,
                      titles: Mapping[str, str]) -> Mapping[str, Any]:
        deadline = time.monotonic() + self._policy.retry.timeout
        settling = False  # ComfyUI said it is done: only its history is awaited now
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise NodeTimeout(f"ComfyUI did not finish prompt {prompt_id} within {self._policy.retry.timeout:g} s")
            if not settling:
                message = await watch.next(min(self.poll_seconds, left))
                if isinstance(message, Progress):
                    job.progress(message.value, message.max, titles.get(message.node, message.node), message.node)
                    continue
                if isinstance(message, Failed):
                    raise errors.execution_failed(message.node_id, message.node_type, message.exception_type,
                                                  message.exception_message)
                if isinstance(message, Interrupted):
                    raise errors.interrupted(message.node_id, message.node_type)
                if isinstance(message, Succeeded) or (isinstance(message, Executing) and message.node is None):
                    settling = True
                elif message is not None and not isinstance(message, SocketDown):
                    continue  # started, executing a node, a node's files written: nothing to do
            # Silence, a dropped socket, or the end: the queue and the history say where it is.
            entry = await self._poll(prompt_id)
            if entry is not None:
                return finished(entry)
            if settling:
                await asyncio.sleep(SETTLE_SECONDS)

    async def _poll(self, prompt_id: str) -> Mapping[str, Any] | None:
        """The history entry once the prompt has one; None while it is queued or running. The
        queue is read first: ComfyUI moves a prompt from its queue to its history at once."""
        if await self.api.queue_state(prompt_id) is not QueueState.ABSENT:
            return None
        entry = await self.api.history(prompt_id)
        if entry is None:
            raise errors.vanished(prompt_id)
        return entry

    async def _fetch(self, entry: Mapping[str, Any], output: OutputMapping | None) -> tuple[Image, ...]:
        outputs = _mapping(entry.get("outputs"))
        kind = output.output_type if output is not None else "image"
        nodes = [outputs.get(output.node_id)] if output is not None else list(outputs.values())
        files = [file for node in nodes if isinstance(node, dict) for key in OUTPUT_KEYS[kind]
                 for file in node.get(key) or () if isinstance(file, dict) and file.get("filename")]
        if not files:
            raise errors.no_results(output.node_id if output is not None else None, kind)
        return tuple([await self.api.view(file) for file in files])

    async def _abandon(self, prompt_id: str) -> None:
        try:
            async with asyncio.timeout(CANCEL_SECONDS):
                state = await self.api.queue_state(prompt_id)
                if state is QueueState.PENDING:
                    await self.api.dequeue(prompt_id)
                    state = await self.api.queue_state(prompt_id)  # it may have started meanwhile
                if state is QueueState.RUNNING:
                    await self.api.interrupt(prompt_id)
                log.info("comfyui prompt %s abandoned (%s)", prompt_id, state.value)
        except (NodeError, TimeoutError) as exc:
            log.warning("comfyui prompt %s could not be cancelled there: %s", prompt_id,
                        getattr(exc, "message", type(exc).__name__))

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """Submission and downloads retry on their own (the policy's attempts and back-off); each
        attempt of a submission asks first whether ComfyUI already has the prompt."""
        return await call_with_retries(attempt, self._policy.retry, what=f"{self.endpoint.provider_id} {what}")


def finished(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    """A history entry that ended well; the error its status messages report otherwise."""
    status = _mapping(entry.get("status"))
    if status.get("status_str", "success") != "error":
        return entry
    for message in status.get("messages") or ():
        if not (isinstance(message, list) and len(message) == 2 and isinstance(message[1], dict)):
            continue
        kind, data = message
        if kind == "execution_error":
            raise errors.execution_failed(str(data.get("node_id", "")), str(data.get("node_type", "")),
                                          str(data.get("exception_type", "")), str(data.get("exception_message", "")))
        if kind == "execution_interrupted":
            raise errors.interrupted(str(data.get("node_id", "")), str(data.get("node_type", "")))
    raise errors.execution_failed("?", "", "error", "ComfyUI reports the prompt failed without saying why")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
