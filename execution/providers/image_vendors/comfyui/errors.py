"""ComfyUI's one error boundary: HTTP statuses, a refused workflow, a failed or interrupted run.

ComfyUI has no authentication and its messages may quote paths, URLs and the server's own
address (a reverse proxy's too), so every text it sends is scrubbed of URLs before it can reach
an event (`scrub`), then cut short. Transport failures are mapped by http.transport_errors.

    NodeError
    ├── ProviderError        POST /prompt 400: ComfyUI refused the workflow
    │                          (its message and the first node errors)                retryable=False
    │                        execution_error: a node failed while running
    │                          (node id, type, exception)              retryable only when out of memory
    │                        execution_interrupted we did not ask for                  retryable=True
    │                        the prompt vanished (ComfyUI restarted, queue cleared)    retryable=True
    │                        no result files in the output node                        retryable=False
    │                        other 4xx                                                 retryable=False
    │                        429 (Retry-After honoured), 5xx, 408; connection failed   retryable=True
    └── NodeTimeout          no result within the call's timeout                       retryable=True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from execution.errors import NodeError, ProviderError
from execution.providers.image_vendors.http import error_text, parse_json
from execution.providers.vendor_errors import parse_retry_after, short, status_error

PROVIDER_ID = "comfyui"
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
_OUT_OF_MEMORY = re.compile(r"out ?of ?memory|OutOfMemory", re.IGNORECASE)
MAX_NODE_ERRORS = 3


def scrub(text: str) -> str:
    """ComfyUI's text fit to quote: URLs replaced, whitespace collapsed, cut short."""
    return short(_URL.sub("<url>", text), secret=None)


def comfy_status_error(status: int, body: bytes, headers: Mapping[str, str]) -> NodeError:
    """Our error for an HTTP error status from ComfyUI (400 from /prompt: a refused workflow)."""
    parsed = parse_json(body)
    if status == 400 and isinstance(parsed, dict) and ("node_errors" in parsed or "error" in parsed):
        return ProviderError(f"ComfyUI refused the workflow: {refusal_text(parsed)}", retryable=False)
    return status_error(PROVIDER_ID, status, scrub(error_text(body, None)), key_env=None, secret=None,
                        retry_after=parse_retry_after(headers))


def refusal_text(body: Mapping[str, Any]) -> str:
    """`{"error": {"message", "details"}, "node_errors": {id: {"errors": [...], "class_type"}}}` as one line."""
    error = body.get("error")
    parts = []
    if isinstance(error, dict):
        parts.append(" ".join(str(error.get(k) or "") for k in ("message", "details")).strip())
    elif error:
        parts.append(str(error))
    node_errors = body.get("node_errors")
    if isinstance(node_errors, dict):
        for node_id, found in list(node_errors.items())[:MAX_NODE_ERRORS]:
            if not isinstance(found, dict):
                continue
            messages = [" ".join(str(e.get(k) or "") for k in ("message", "details")).strip()
                        for e in found.get("errors") or [] if isinstance(e, dict)]
            parts.append(f"node {node_id} ({found.get('class_type', '?')}): {'; '.join(m for m in messages if m)}")
    return scrub("; ".join(p for p in parts if p) or "no reason given")


def execution_failed(node_id: str, node_type: str, exception_type: str, message: str) -> ProviderError:
    """A node failed while ComfyUI ran the prompt (execution_error)."""
    kind = exception_type.rsplit(".", 1)[-1] or "error"
    return ProviderError(f"ComfyUI failed in node {node_id} ({node_type or '?'}): {kind}: {scrub(message)}",
                         retryable=bool(_OUT_OF_MEMORY.search(exception_type + " " + message)))


def interrupted(node_id: str, node_type: str) -> ProviderError:
    where = f" in node {node_id} ({node_type or '?'})" if node_id else ""
    return ProviderError(f"ComfyUI interrupted the prompt{where} (someone cancelled it there)", retryable=True)


def vanished(prompt_id: str) -> ProviderError:
    return ProviderError(f"ComfyUI no longer has prompt {prompt_id}: neither queued nor in its history "
                         "(restarted, or removed from its queue)", retryable=True)


def no_results(node_id: str | None, output_type: str) -> ProviderError:
    where = f"node {node_id}" if node_id else "the workflow"
    return ProviderError(f"ComfyUI finished, but {where} produced no {output_type} files", retryable=False)
