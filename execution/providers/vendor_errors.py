"""Shared rules the per-vendor error boundaries apply: which HTTP failures are worth a retry,
how long the vendor asked us to wait, and how the message reads.

Each vendor has exactly one boundary (a context manager: openai_compat.errors,
claude.errors) that turns everything its SDK or transport can raise into our hierarchy:

    NodeError                                   (execution.errors)
    ├── NotConfiguredError   no key / no base URL / no model; HTTP 401      retryable=False
    ├── InvalidNodeInput     unknown provider id                            retryable=False
    ├── ProviderError        the vendor failed
    │     HTTP 408, 425, 429, 5xx (not 501/505), 529, in-stream overload,
    │     connection refused/reset/dropped, malformed stream               retryable=True
    │     └── ProviderRateLimited   HTTP 429 (not a spent quota), carrying
    │           `retry_after` from Retry-After / retry-after-ms: a chat call waits
    │           for it without a slot (providers.call), image calls retry in place
    │     HTTP 400, 403, 404, 413, 422, …, 429 quota/spend limit reached     retryable=False
    └── NodeTimeout          SDK read/connect timeout or our per-call limit retryable=True

Vendor exception types never cross a boundary. Messages name the provider and the HTTP
status, quote at most a short piece of the vendor's own message, and never quote the body of
a 401 (vendors echo part of the key there). The key is masked in the vendor's text *before*
it is cut short: a key straddling the cut would otherwise leave its opening part, which no
longer matches the key when the engine redacts the message.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping

from execution.errors import NodeError, NotConfiguredError, ProviderError, ProviderRateLimited
from execution.redaction import MASK

MAX_VENDOR_MESSAGE = 300

# Statuses a later attempt may well get past.
_RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 529})


def is_retryable_status(status: int) -> bool:
    return status in _RETRYABLE_STATUSES or (status >= 500 and status not in (501, 505))


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the vendor asked us to wait: `retry-after-ms`, else `retry-after` as seconds or
    an HTTP date. None when absent or unreadable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def short(message: str, *, secret: str | None) -> str:
    """A vendor's text fit to quote: `secret` masked first, then whitespace collapsed and the
    text cut to MAX_VENDOR_MESSAGE characters."""
    if secret:
        message = message.replace(secret, MASK)
    message = " ".join(message.split())
    return message if len(message) <= MAX_VENDOR_MESSAGE else message[: MAX_VENDOR_MESSAGE - 1] + "…"


def without_cut_secret(text: str, secret: str | None) -> str:
    """`text` without the opening part of `secret` at its end: for a body cut at a byte cap
    before anyone could see the whole key (the part left no longer matches it)."""
    if secret:
        for size in range(min(len(secret) - 1, len(text)), 0, -1):
            if text.endswith(secret[:size]):
                return text[:-size]
    return text


def status_error(
    provider_id: str,
    status: int,
    vendor_message: str,
    *,
    key_env: str | None,
    secret: str | None,
    retry_after: float | None = None,
    quota_exhausted: bool = False,
) -> NodeError:
    """Our error for an HTTP error status from a vendor."""
    if status == 401:
        hint = f": check {key_env}" if key_env else ""
        return NotConfiguredError(f"{provider_id} rejected the API key (HTTP 401){hint}")
    detail = f": {short(vendor_message, secret=secret)}" if vendor_message else ""
    if status == 429 and quota_exhausted:
        return ProviderError(f"{provider_id} quota or spend limit reached (HTTP 429){detail}",
                             retryable=False)
    if status == 429:
        return ProviderRateLimited(f"{provider_id} rate limit hit (HTTP 429){detail}", retry_after=retry_after)
    retryable = is_retryable_status(status)
    return ProviderError(f"{provider_id} returned HTTP {status}{detail}", retryable=retryable,
                         retry_after=retry_after if retryable else None)
