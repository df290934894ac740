"""Fireworks' one error boundary for FLUX text-to-image.

Statuses follow the vendor_errors.status_error rules; a filtered image is reported in the
`Finish-Reason` header (raw replies) or `finishReason` (JSON replies). Transport failures
are mapped by http.transport_errors.

    NodeError
    ├── NotConfiguredError   401 key rejected (body not quoted)            retryable=False
    ├── ProviderError        403, other 4xx                                retryable=False
    │                        CONTENT_FILTERED                              retryable=False
    │                        429 (Retry-After honoured)                    retryable=True
    │                        5xx, 408; connection failed                   retryable=True
    └── NodeTimeout          no answer in time                             retryable=True
"""

from __future__ import annotations

from collections.abc import Mapping

from execution.errors import NodeError, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.http import vendor_message
from execution.providers.vendor_errors import parse_retry_after, status_error


def fireworks_status_error(endpoint: Endpoint, status: int, body: bytes, headers: Mapping[str, str]) -> NodeError:
    """Our error for an HTTP error status from Fireworks."""
    return status_error(endpoint.provider_id, status, vendor_message(body, endpoint), key_env=endpoint.key_env,
                        secret=endpoint.api_key, retry_after=parse_retry_after(headers))


def content_filtered(endpoint: Endpoint) -> ProviderError:
    return ProviderError(f"{endpoint.provider_id} filtered the image (CONTENT_FILTERED)", retryable=False)
