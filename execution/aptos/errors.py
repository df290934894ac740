"""The one error boundary of the Aptos fullnode client: httpx2 and HTTP failures in, our errors out.

    NodeError                                   (execution.errors)
    ├── NotConfiguredError   no APTOS_NODE_URL; submitting not allowed or no key; HTTP 401/403
    │                                                                   retryable=False
    ├── ProviderError        the node failed
    │     HTTP 408, 429, 5xx; connection refused/reset                  retryable=True
    │     HTTP 400, 404 (account/resource/module not found), other 4xx,
    │     a reply that is not the JSON asked for                       retryable=False
    └── NodeTimeout          a request past FLOWEXEC_APTOS_TIMEOUT      retryable=True

Messages name the node's own error (`message`, and `error_code` as `account_not_found`), cut
short; httpx2's exception types never leave this module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from execution.errors import NodeError, NodeTimeout, NotConfiguredError, ProviderError
from execution.providers.image_vendors.http import parse_json
from execution.providers.vendor_errors import is_retryable_status, short

NAME = "aptos node"


def status_error(status: int, body: bytes, what: str) -> NodeError:
    parsed = parse_json(body)
    message, code = "", ""
    if isinstance(parsed, dict):
        message, code = str(parsed.get("message") or ""), str(parsed.get("error_code") or "")
    detail = short(message or body.decode("utf-8", "replace"), secret=None)
    coded = f", {code}" if code else ""
    if status in (401, 403):
        return NotConfiguredError(f"{NAME} refused {what} (HTTP {status}{coded}): {detail}")
    return ProviderError(f"{NAME}: {what} failed (HTTP {status}{coded}): {detail}",
                         retryable=is_retryable_status(status))


@asynccontextmanager
async def transport_errors(what: str) -> AsyncIterator[None]:
    import httpx2

    try:
        yield
    except httpx2.TimeoutException:
        raise NodeTimeout(f"{NAME}: {what} timed out") from None
    except (httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
        raise ProviderError(f"{NAME}: {what}: connection failed ({type(exc).__name__})", retryable=True) from None
    except httpx2.HTTPError as exc:
        raise ProviderError(f"{NAME}: {what} failed: {type(exc).__name__}: {short(str(exc), secret=None)}",
                            retryable=False) from None
