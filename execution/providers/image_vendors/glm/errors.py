"""Z.ai's one error boundary for image generation.

Errors are `{"error": {"code": "1302", "message"}}` (the code is a string); codes decide
before statuses, then the vendor_errors.status_error rules apply. Transport failures are
mapped by http.transport_errors.

    NodeError
    ├── NotConfiguredError   401 key rejected (body not quoted)            retryable=False
    ├── ProviderError        1301 unsafe content, any status               retryable=False
    │                        429 + 1113 account in arrears                 retryable=False
    │                        other 4xx                                     retryable=False
    │                        429 + 1302 rate limit (Retry-After honoured)  retryable=True
    │                        500 and other transient statuses              retryable=True
    │                        image download: http(s) only, 5xx/429 retried
    └── NodeTimeout          no answer in time                             retryable=True
"""

from __future__ import annotations

from collections.abc import Mapping

from execution.errors import NodeError, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.http import parse_json, vendor_message
from execution.providers.vendor_errors import parse_retry_after, short, status_error

ARREARS = "1113"
UNSAFE_CONTENT = "1301"


def glm_status_error(endpoint: Endpoint, status: int, body: bytes, headers: Mapping[str, str]) -> NodeError:
    """Our error for an HTTP error status from Z.ai's image API."""
    name = endpoint.provider_id
    code, message = _glm_error(body)
    message = short(message, secret=endpoint.api_key) or vendor_message(body, endpoint)
    if code:
        message = f"{message} (code {code})"
    if code == UNSAFE_CONTENT:
        return ProviderError(f"{name} refused the prompt as unsafe (HTTP {status}): {message}", retryable=False)
    return status_error(name, status, message, key_env=endpoint.key_env, secret=endpoint.api_key,
                        retry_after=parse_retry_after(headers), quota_exhausted=code == ARREARS)


def _glm_error(body: bytes) -> tuple[str, str]:
    parsed = parse_json(body)
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")
    return "", ""
