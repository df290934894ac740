"""ComfyUI's websocket messages, as typed records.

ComfyUI (server.py `send_json`) sends text frames `{"type": …, "data": {…}}` to the client id
a prompt was submitted with, and binary frames (previews) we ignore:

    status                 {"status": {"exec_info": {"queue_remaining"}}, "sid"}
    execution_start        {"prompt_id", "timestamp"}
    execution_cached       {"nodes": [...], "prompt_id", "timestamp"}
    executing              {"node", "display_node", "prompt_id"}     node null: the prompt is done
    progress               {"value", "max", "node", "prompt_id"}     older versions: no prompt_id
    executed               {"node", "display_node", "output", "prompt_id"}
    execution_success      {"prompt_id", "timestamp"}
    execution_error        {"prompt_id", "node_id", "node_type", "executed", "exception_message",
                            "exception_type", "traceback", "current_inputs", "current_outputs"}
    execution_interrupted  {"prompt_id", "node_id", "node_type", "executed"}

Anything else (progress_state, custom nodes' messages, malformed frames) parses to None.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Started:
    prompt_id: str


@dataclass(frozen=True, slots=True)
class Executing:
    prompt_id: str
    # None: the prompt has finished (older ComfyUI's only end signal).
    node: str | None


@dataclass(frozen=True, slots=True)
class Progress:
    # "" when ComfyUI did not say (older versions): the socket assigns the running prompt.
    prompt_id: str
    node: str
    value: int
    max: int


@dataclass(frozen=True, slots=True)
class Executed:
    prompt_id: str
    node: str


@dataclass(frozen=True, slots=True)
class Succeeded:
    prompt_id: str


@dataclass(frozen=True, slots=True)
class Failed:
    prompt_id: str
    node_id: str
    node_type: str
    exception_type: str
    exception_message: str


@dataclass(frozen=True, slots=True)
class Interrupted:
    prompt_id: str
    node_id: str
    node_type: str


@dataclass(frozen=True, slots=True)
class SocketDown:
    """Not ComfyUI's: the socket dropped (the watchers poll the history at once)."""

    prompt_id: str = ""


ComfyMessage = Started | Executing | Progress | Executed | Succeeded | Failed | Interrupted | SocketDown


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_message(frame: str | bytes) -> ComfyMessage | None:
    """One websocket frame as a message we act on; None for anything else."""
    if isinstance(frame, bytes):
        return None
    try:
        message = json.loads(frame)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("data"), dict):
        return None
    kind, data = message.get("type"), message["data"]
    prompt_id = _text(data.get("prompt_id"))
    if kind == "execution_start":
        return Started(prompt_id)
    if kind == "executing":
        node = data.get("node")
        return Executing(prompt_id, None if node is None else str(node))
    if kind == "progress":
        return Progress(prompt_id, _text(data.get("node")), _int(data.get("value")), _int(data.get("max")))
    if kind == "executed":
        return Executed(prompt_id, _text(data.get("node")))
    if kind == "execution_success":
        return Succeeded(prompt_id)
    if kind == "execution_error":
        return Failed(prompt_id, _text(data.get("node_id")), _text(data.get("node_type")),
                      _text(data.get("exception_type")), _text(data.get("exception_message")))
    if kind == "execution_interrupted":
        return Interrupted(prompt_id, _text(data.get("node_id")), _text(data.get("node_type")))
    return None
