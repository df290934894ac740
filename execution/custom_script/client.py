"""ScriptClient: one custom_script call — POST a JSON body to an allow-listed endpoint, read its
JSON reply — with every guard the server owes its own network.

For the endpoint and for each redirect target, in this order:
1. the URL must be under an allow-listed base (execution.custom_script.urls);
2. its host is resolved once and every address checked (execution.custom_script.addresses);
3. the request goes to the first of those checked addresses itself — the URL names the IP, the
   `Host` header (and, over TLS, SNI and the certificate check) the host — so no second lookup
   can move it (DNS rebinding); no proxy from the environment, no pooled connection (one opened
   for another host name of the same IP must not carry this request).
Redirects are never followed by the transport: a 301/302/303/307/308 with a Location is taken
up to FLOWEXEC_CUSTOM_SCRIPT_MAX_REDIRECTS times, each target checked as above (307/308 repeat
the POST; 301/302/303 become a GET without a body, as browsers and httpx do); the token goes
only to the endpoint's own origin. The whole call — lookups, redirects, reading — has one time
limit, and a reply is read up to the byte cap and no further.

The one error boundary (httpx2's and the resolver's errors never leave this module):

    NodeError                                   (execution.errors)
    ├── NotConfiguredError  custom_script is off (no allow-listed base URL)   retryable=False
    ├── InvalidNodeInput    the endpoint, or a redirect target, is not allow-listed or resolves
    │                       to a refused address; the body is too large       retryable=False
    ├── ProviderError       HTTP 408/429/5xx, connection failed, no DNS answer retryable=True
    │                       other HTTP ≥ 400, a reply too large or not JSON,
    │                       too many redirects, TLS (a certificate that does
    │                       not verify for the host)                        retryable=False
    └── NodeTimeout         the call took longer than its time limit         retryable=True

Messages show an endpoint as scheme://host:port/path (no query: it may hold a key) and quote at
most a short piece of an error reply, with the server's token masked.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from execution.custom_script.addresses import IPAddress, refusal, resolve
from execution.custom_script.settings import URLS_ENV, CustomScriptSettings, ScriptPolicy
from execution.custom_script.urls import Endpoint, UnusableUrl, parse_endpoint
from execution.errors import InvalidNodeInput, NodeTimeout, NotConfiguredError, ProviderError
from execution.providers.image_vendors.http import error_text, read_capped, read_prefix
from execution.providers.vendor_errors import is_retryable_status

if TYPE_CHECKING:
    import httpx2

NAME = "custom_script"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
NETWORKS_HINT = ("custom_script calls no private, loopback, link-local, multicast or reserved address unless the "
                 "server allows its network (FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS)")


class ScriptClient:
    def __init__(self, policy: ScriptPolicy | None = None) -> None:
        self.policy = policy or ScriptPolicy()
        self._http: httpx2.AsyncClient | None = None

    @classmethod
    def from_env(cls) -> ScriptClient:
        """From the environment; ConfigurationError when a setting is unusable (see settings)."""
        return cls(CustomScriptSettings().policy())

    def endpoint(self, text: str) -> Endpoint:
        """The endpoint a node names — an absolute URL, or a path (`/process`) appended to the
        first allow-listed base URL — checked against the allow-list."""
        policy = self.policy
        if not policy.enabled:
            raise NotConfiguredError(f"custom_script is off on this server: it allows no endpoint ({URLS_ENV} is unset)")
        if text.startswith("/"):
            text = policy.allowed_bases[0].shown.rstrip("/") + text
        try:
            endpoint = parse_endpoint(text)
        except UnusableUrl as exc:
            raise InvalidNodeInput(f"'endpoint' {exc}") from None
        if not policy.allows(endpoint):
            raise InvalidNodeInput(f"'endpoint' {endpoint.shown} is not under a base URL this server allows ({URLS_ENV})")
        return endpoint

    async def call(self, endpoint: Endpoint, body: Mapping[str, Any], *, timeout: float | None = None) -> Any:
        """POST `body` as JSON to `endpoint` (from `endpoint()`); the reply's JSON value."""
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(data) > self.policy.max_request_bytes:
            raise InvalidNodeInput(f"the request to {endpoint.shown} would be {len(data):,} bytes of JSON; the limit "
                                   f"is {self.policy.max_request_bytes:,}")
        limit = min(timeout or self.policy.timeout, self.policy.timeout)
        try:
            async with asyncio.timeout(limit):
                return await self._follow(endpoint, data)
        except TimeoutError:
            raise NodeTimeout(f"{NAME} {endpoint.shown} did not answer within {limit:g} s") from None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- one call ---------------------------------------------------------------------------

    async def _follow(self, endpoint: Endpoint, data: bytes) -> Any:
        method, content, target = "POST", data, endpoint
        for _ in range(self.policy.max_redirects + 1):
            address = await self._checked_address(target, redirected=target is not endpoint)
            token = self.policy.token if target.origin == endpoint.origin else None
            async with self._send(method, target, address, content, token) as response:
                status = response.status_code
                location = response.headers.get("Location")
                if status in REDIRECTS and location:
                    try:
                        following = target.join(location)
                    except UnusableUrl as exc:
                        raise ProviderError(f"{NAME} {target.shown} redirected to a URL that {exc}",
                                            retryable=False) from None
                    if not self.policy.allows(following):
                        raise InvalidNodeInput(f"{NAME} {target.shown} redirected to {following.shown}, which is not "
                                               f"under a base URL this server allows ({URLS_ENV})")
                    if status in (301, 302, 303) and method == "POST":
                        method, content = "GET", b""
                    target = following
                    continue
                if status >= 400:
                    message = error_text(await read_prefix(response), self.policy.token)
                    raise ProviderError(f"{NAME} {target.shown} answered HTTP {status}: {message or 'no message'}",
                                        retryable=is_retryable_status(status))
                reply = await read_capped(response, self.policy.max_response_bytes, provider_id=f"{NAME} {target.shown}",
                                          what="reply")
            try:
                return json.loads(reply)
            except (ValueError, UnicodeDecodeError):
                raise ProviderError(f"{NAME} {target.shown} answered with something that is not JSON",
                                    retryable=False) from None
        raise ProviderError(f"{NAME} {endpoint.shown} redirected more than {self.policy.max_redirects} times",
                            retryable=False)

    async def _checked_address(self, target: Endpoint, *, redirected: bool) -> IPAddress:
        """The address to connect to: every address of the host allowed, else InvalidNodeInput."""
        try:
            addresses = await resolve(target.host, target.port)
        except (socket.gaierror, UnicodeError):
            raise ProviderError(f"{NAME}: the host of {target.shown} does not resolve", retryable=True) from None
        if not addresses:
            raise ProviderError(f"{NAME}: the host of {target.shown} has no address", retryable=True)
        for address in addresses:
            why = refusal(address, self.policy.allowed_networks)
            if why is not None:
                what = f"{NAME} {target.shown} (a redirect target)" if redirected else f"'endpoint' {target.shown}"
                where = "is" if str(address) == target.host else f"resolves to {address},"
                raise InvalidNodeInput(f"{what} {where} {why}: {NETWORKS_HINT}")
        return addresses[0]

    @asynccontextmanager
    async def _send(self, method: str, target: Endpoint, address: IPAddress, content: bytes,
                    token: str | None) -> AsyncIterator[httpx2.Response]:
        """One request to `address`, as to `target`'s host; transport errors mapped."""
        import httpx2

        headers = {"Host": target.url.netloc.decode("ascii"), "Accept": "application/json",
                   "User-Agent": "flowexec-custom-script"}
        if content:
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        extensions: dict[str, Any] = {}
        if target.scheme == "https" and str(address) != target.host:
            extensions["sni_hostname"] = target.host  # the certificate is checked against the host
        pinned = target.url.copy_with(host=str(address), fragment=None)
        try:
            async with self._client().stream(method, pinned, content=content or None, headers=headers,
                                             extensions=extensions) as response:
                yield response
        except httpx2.TimeoutException:
            raise NodeTimeout(f"{NAME} {target.shown} timed out") from None
        except httpx2.TransportError as exc:
            tls = _tls_error(exc)
            if tls is not None:  # a certificate that does not verify will not verify on a retry either
                raise ProviderError(f"{NAME} {target.shown}: TLS failed: {tls}", retryable=False) from None
            raise ProviderError(f"{NAME} {target.shown}: connection failed ({type(exc).__name__})",
                                retryable=True) from None
        except httpx2.HTTPError as exc:
            raise ProviderError(f"{NAME} {target.shown} failed: {type(exc).__name__}", retryable=False) from None

    def _client(self) -> httpx2.AsyncClient:
        if self._http is None:
            import httpx2

            verify: ssl.SSLContext | bool = True
            if self.policy.ca_file:
                verify = ssl.create_default_context()
                verify.load_verify_locations(cafile=self.policy.ca_file)
            self._http = httpx2.AsyncClient(
                trust_env=False, follow_redirects=False, timeout=httpx2.Timeout(self.policy.timeout),
                limits=httpx2.Limits(max_keepalive_connections=0), verify=verify)
        return self._http


def _tls_error(exc: BaseException) -> str | None:
    """What TLS said, when a transport error came from it (the SSL error is in its chain)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or "the certificate does not verify"
        if isinstance(seen, ssl.SSLError):
            return seen.reason or type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    return None
