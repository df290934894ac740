"""HTTP plumbing the image vendors share: the shared client, capped reads, vendor error
text, the transport half of each vendor's error boundary, and the vendors' base class.

Each vendor folder keeps its own status boundary (`errors.py`: which statuses and codes retry
is vendor knowledge) built on vendor_errors.status_error, the rules the LLM boundaries apply
too: 401 → NotConfiguredError (body not quoted), 429 → retried with Retry-After, 5xx →
retried, other 4xx → not. Transport failures map the same for everyone (`transport_errors`):
timeout → NodeTimeout, connection trouble → retryable ProviderError. Bodies are read with a
byte cap so a vendor (or a download URL) cannot make us buffer without bound, and error text
is scrubbed of the key, then cut short, before it can reach an event (in that order: a key
cut first no longer matches).

The transport is httpx2, the one the LLM SDKs use; like them it is imported when a vendor
first sends, so an idle server and dry runs never load it.

Retries hold the vendor's concurrency slot for the whole call, back-off included (as
providers.streaming does), so a vendor that is rate-limiting us is not hit by the next
queued call during our wait.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from execution.errors import NodeError, NodeTimeout, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.resilience import CallPolicy, ConcurrencyLimits, call_with_retries
from execution.providers.vendor_errors import is_retryable_status, short, without_cut_secret

if TYPE_CHECKING:
    import httpx2

    from execution.providers.image_vendors.image_settings import ImageProviderSettings

T = TypeVar("T")

ERROR_BODY_CAP = 64 * 1024


async def read_capped(response: httpx2.Response, cap: int, *, provider_id: str, what: str) -> bytes:
    """The whole body of a streamed response, refusing more than `cap` bytes."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise ProviderError(f"{provider_id} sent a {what} of {int(declared):,} bytes; the limit is {cap:,}",
                            retryable=False)
    chunks: list[bytes] = []
    size = 0
    async with aclosing(response.aiter_bytes()) as body:  # closed at once, even when we stop early
        async for chunk in body:
            size += len(chunk)
            if size > cap:
                raise ProviderError(f"{provider_id} sent a {what} larger than {cap:,} bytes", retryable=False)
            chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> object:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


async def read_prefix(response: httpx2.Response, cap: int = ERROR_BODY_CAP) -> bytes:
    """At most `cap` bytes of a body (error bodies: enough to read the message)."""
    chunks: list[bytes] = []
    size = 0
    async with aclosing(response.aiter_bytes()) as body:
        async for chunk in body:
            chunks.append(chunk)
            size += len(chunk)
            if size >= cap:
                break
    return b"".join(chunks)[:cap]


def error_text(body: bytes, secret: str | None) -> str:
    """The vendor's error message: `{"error": "…"}`, `{"error": {"message"}}`, a list of them,
    `{"message"}` or `{"detail"}` — else the start of the body as text; `secret` masked, then
    cut short."""
    parsed = parse_json(body)
    message = _message_of(parsed)
    if not message:
        message = body.decode("utf-8", "replace").strip()
        if len(body) >= ERROR_BODY_CAP:  # read_prefix cut it: the end may be a piece of the key
            message = without_cut_secret(message, secret)
    return short(message, secret=secret)


def vendor_message(body: bytes, endpoint: Endpoint) -> str:
    """The vendor's error message, short and without our key in it."""
    return error_text(body, endpoint.api_key) or "no error message"


def _message_of(parsed: object) -> str:
    if isinstance(parsed, str):
        return parsed
    if isinstance(parsed, list):
        return "; ".join(m for m in (_message_of(p) for p in parsed) if m)
    if isinstance(parsed, dict):
        for key in ("error", "message", "detail", "msg"):
            if key in parsed:
                found = _message_of(parsed[key])
                if found:
                    return found
    return ""


@asynccontextmanager
async def transport_errors(endpoint: Endpoint, what: str) -> AsyncIterator[None]:
    """Map httpx2's own errors (no HTTP status) to ProviderError; ours pass through."""
    import httpx2

    name = endpoint.provider_id
    try:
        yield
    except httpx2.TimeoutException:
        raise NodeTimeout(f"{name} {what} timed out") from None
    except (httpx2.NetworkError, httpx2.RemoteProtocolError) as exc:
        raise ProviderError(f"{name} {what}: connection failed ({type(exc).__name__})",
                            retryable=True) from None
    except httpx2.HTTPError as exc:
        detail = short(str(exc), secret=endpoint.api_key)
        raise ProviderError(f"{name} {what} failed: {type(exc).__name__}: {detail}",
                            retryable=False) from None


class SharedClient:
    """One httpx2.AsyncClient for all image vendors, created on first use (building one
    imports httpx2 and costs an SSL context, and most Services never generate an image)."""

    def __init__(self, timeout: float = 120.0, client: httpx2.AsyncClient | None = None) -> None:
        self._timeout = timeout
        self._client = client

    def get(self) -> httpx2.AsyncClient:
        if self._client is None:
            import httpx2

            self._client = httpx2.AsyncClient(timeout=httpx2.Timeout(self._timeout, connect=10.0))
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None


@dataclass(frozen=True, slots=True)
class VendorResponse:
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


# Maps an error status, its body and headers to the vendor's error (vendor_errors.status_error rules).
StatusMapper = Callable[[int, bytes, Mapping[str, str]], NodeError]


class HttpImageVendor:
    """Base of the image vendors: owns the endpoint and shares the client, policy and limits.

    One slot per call, held across its retries.
    """

    def __init__(self, endpoint: Endpoint, client: SharedClient, policy: CallPolicy,
                 limits: ConcurrencyLimits, settings: ImageProviderSettings | None = None) -> None:
        self.endpoint = endpoint
        self._client = client
        self._policy = policy
        self._limits = limits
        # The image settings beyond the endpoint, for a vendor that has more knobs (ComfyUI's polling).
        self.settings = settings

    @property
    def provider_id(self) -> str:
        """The vendor's one id (its row in vendor_table): ProviderCalls, error messages, the
        timeout and concurrency maps and the concurrency slot all use it."""
        return self.endpoint.provider_id

    @property
    def default_model(self) -> str:
        """Model used when the node names none (or names a text model of another vendor)."""
        return self.endpoint.default_model

    def require_key(self) -> None:
        self.endpoint.require_key()

    def vendor_message(self, body: bytes) -> str:
        return vendor_message(body, self.endpoint)

    async def with_retries(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        async with self._limits.slot(self.provider_id):
            return await call_with_retries(attempt, self._policy.retry, what=f"{self.provider_id} {what}")

    async def post(self, url: str, *, accept: str, cap: int, what: str, on_status: StatusMapper,
                   json_body: Mapping[str, Any] | None = None, content: bytes | None = None,
                   content_type: str = "") -> VendorResponse:
        """One POST (JSON or raw body): a status ≥ 400 becomes on_status(...); the body is read
        up to `cap`."""
        headers = {"Authorization": f"Bearer {self.endpoint.api_key}", "Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        body = dict(json_body) if json_body is not None else None
        async with transport_errors(self.endpoint, what):
            async with self._client.get().stream("POST", url, json=body, content=content,
                                                 headers=headers) as response:
                if response.status_code >= 400:
                    raise on_status(response.status_code, await read_prefix(response), response.headers)
                data = await read_capped(response, cap, provider_id=self.provider_id, what=what)
                return VendorResponse(response.headers, data)

    async def download(self, url: str, *, cap: int, what: str) -> VendorResponse:
        """One plain GET of a URL the vendor handed us (no key: it may point anywhere): a status
        ≥ 400 is a ProviderError (retryable when the status is), the body read up to `cap`."""
        async with transport_errors(self.endpoint, what):
            async with self._client.get().stream("GET", url, follow_redirects=True) as response:
                if response.status_code >= 400:
                    await read_prefix(response)
                    status = response.status_code
                    raise ProviderError(f"{self.provider_id} {what} failed (HTTP {status})",
                                        retryable=is_retryable_status(status))
                data = await read_capped(response, cap, provider_id=self.provider_id, what=what)
                return VendorResponse(response.headers, data)
