"""HuggingFace's one error boundary for image calls (text-to-image and Florence-2).

Statuses (vendor_errors.status_error rules, plus 404/410 and 503's `estimated_time`);
transport failures are mapped by http.transport_errors:

    NodeError
    ├── NotConfiguredError   401 key rejected (body not quoted)            retryable=False
    ├── ProviderError        404/410 model not served here                 retryable=False
    │                        other 4xx bad request                         retryable=False
    │                        429 rate limited (Retry-After honoured)       retryable=True
    │                        503 loading (`estimated_time` honoured)       retryable=True
    │                        5xx, 408 vendor trouble; connection failed    retryable=True
    └── NodeTimeout          no answer in time                             retryable=True

Errors are `{"error": "msg"}` (or a list of them).
"""

from __future__ import annotations

from collections.abc import Mapping

from execution.errors import NodeError, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.http import parse_json, vendor_message
from execution.providers.vendor_errors import parse_retry_after, status_error

FLORENCE_NOT_SERVED = (" — Florence-2 image-to-text may not be served by hf-inference; "
                       "use a vision chat model instead")


def hf_status_error(endpoint: Endpoint, status: int, body: bytes, headers: Mapping[str, str],
                    not_served_hint: str = "") -> NodeError:
    """Our error for an HTTP error status from hf-inference."""
    name = endpoint.provider_id
    message = vendor_message(body, endpoint)
    if status in (404, 410):
        return ProviderError(f"{name}: model not served (HTTP {status}): {message}{not_served_hint}",
                             retryable=False)
    retry_after = parse_retry_after(headers)
    if status == 503:
        retry_after = _estimated_time(body) or retry_after
    return status_error(name, status, message, key_env=endpoint.key_env, secret=endpoint.api_key,
                        retry_after=retry_after)


def florence_status_error(endpoint: Endpoint, status: int, body: bytes, headers: Mapping[str, str]) -> NodeError:
    return hf_status_error(endpoint, status, body, headers, not_served_hint=FLORENCE_NOT_SERVED)


def _estimated_time(body: bytes) -> float | None:
    parsed = parse_json(body)
    value = parsed.get("estimated_time") if isinstance(parsed, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
