"""AptosClient: the few calls of an Aptos fullnode's REST API (v1) the Aptos nodes make.

    GET  /v1                                      ledger info (chain_id)
    GET  /v1/accounts/{address}                   sequence_number
    GET  /v1/accounts/{address}/resources         every resource (pages: X-Aptos-Cursor)
    GET  /v1/accounts/{address}/resource/{type}   one resource
    GET  /v1/accounts/{address}/module/{name}     a module's ABI (entry-function parameter types)
    POST /v1/view                                 a view function's return values
    POST /v1/transactions                         submit a signed transaction (BCS body)
    GET  /v1/transactions/by_hash/{hash}          a submitted transaction's fate

Reads are retried (FLOWEXEC_APTOS_MAX_ATTEMPTS, back-off, each attempt bounded by
FLOWEXEC_APTOS_TIMEOUT); a submission is sent once. Replies are read up to
FLOWEXEC_APTOS_MAX_RESPONSE_BYTES. Errors: execution.aptos.errors. The transport is httpx2
(the project's one HTTP stack), imported on first use.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from execution.aptos.errors import NAME, status_error, transport_errors
from execution.aptos.move_types import format_address
from execution.aptos.settings import AptosSettings
from execution.aptos.signer import Ed25519Account
from execution.errors import NotConfiguredError, ProviderError
from execution.providers.image_vendors.http import read_capped, read_prefix
from execution.providers.resilience import RetryPolicy, call_with_retries

if TYPE_CHECKING:
    import httpx2

SIGNED_TRANSACTION_BCS = "application/x.aptos.signed_transaction+bcs"
MAX_RESOURCE_PAGES = 20


class AptosClient:
    def __init__(self, settings: AptosSettings | None = None) -> None:
        self.settings = settings or AptosSettings.explicit()
        self._http: httpx2.AsyncClient | None = None
        self._account: Ed25519Account | None = None

    @classmethod
    def from_env(cls) -> AptosClient:
        return cls(AptosSettings())

    @property
    def base_url(self) -> str | None:
        """APTOS_NODE_URL ending in /v1 (the seed's `https://testnet.aptoslabs.com` style gets it)."""
        url = (self.settings.node_url or "").strip().rstrip("/")
        if not url:
            return None
        return url if url.endswith("/v1") else f"{url}/v1"

    def require_node(self) -> str:
        base = self.base_url
        if base is None:
            raise NotConfiguredError("no Aptos node is configured: set APTOS_NODE_URL")
        return base

    def submitting_account(self) -> Ed25519Account:
        """The server's account, when the server allows submitting; NotConfiguredError says what
        is missing (never the key)."""
        if not self.settings.allow_submit:
            raise NotConfiguredError("submitting Aptos transactions is off on this server "
                                     "(FLOWEXEC_APTOS_ALLOW_SUBMIT=true turns it on)")
        if self.settings.private_key is None:
            raise NotConfiguredError("submitting needs the server's key: set APTOS_PRIVATE_KEY")
        if self._account is None:
            self._account = Ed25519Account.from_hex(self.settings.private_key.get_secret_value())
        return self._account

    # -- reads ------------------------------------------------------------------------------

    async def ledger_info(self) -> dict[str, Any]:
        info, _ = await self._request("GET", "", what="ledger info")
        return _object(info, "ledger info")

    async def account(self, address: bytes) -> dict[str, Any]:
        found, _ = await self._request("GET", f"/accounts/{_addr(address)}", what="account")
        return _object(found, "account")

    async def resources(self, address: bytes, ledger_version: int | None = None) -> list[Any]:
        found: list[Any] = []
        params: dict[str, str] = _version(ledger_version)
        for _ in range(MAX_RESOURCE_PAGES):
            page, headers = await self._request("GET", f"/accounts/{_addr(address)}/resources", what="resources",
                                                params=params)
            if not isinstance(page, list):
                raise ProviderError(f"{NAME} sent resources that are not a list", retryable=False)
            found += page
            cursor = headers.get("X-Aptos-Cursor")
            if not cursor:
                return found
            params = {**params, "start": cursor}
        raise ProviderError(f"{NAME}: more than {MAX_RESOURCE_PAGES} pages of resources", retryable=False)

    async def resource(self, address: bytes, resource_type: str, ledger_version: int | None = None) -> dict[str, Any]:
        path = f"/accounts/{_addr(address)}/resource/{quote(resource_type, safe=':')}"
        found, _ = await self._request("GET", path, what="resource", params=_version(ledger_version))
        return _object(found, "resource")

    async def module_abi(self, address: bytes, module: str) -> dict[str, Any]:
        found, _ = await self._request("GET", f"/accounts/{_addr(address)}/module/{quote(module, safe='')}",
                                       what="module")
        abi = _object(found, "module").get("abi")
        if not isinstance(abi, dict):
            raise ProviderError(f"{NAME} sent module {module} without its ABI", retryable=False)
        return abi

    async def view(self, function: str, type_arguments: list[str], arguments: list[Any],
                   ledger_version: int | None = None) -> list[Any]:
        body = {"function": function, "type_arguments": type_arguments, "arguments": arguments}
        found, _ = await self._request("POST", "/view", what="view function", json_body=body,
                                       params=_version(ledger_version))
        if not isinstance(found, list):
            raise ProviderError(f"{NAME} sent a view result that is not a list", retryable=False)
        return found

    async def balance(self, address: bytes, coin_type: str, ledger_version: int | None = None) -> str:
        """The account's balance of `coin_type` in its smallest unit, as a decimal string: the view
        function 0x1::coin::balance, which counts a coin's fungible-asset form too (APT)."""
        returned = await self.view("0x1::coin::balance", [coin_type], [_addr(address)], ledger_version)
        amount = returned[0] if len(returned) == 1 else None
        if not isinstance(amount, str | int) or isinstance(amount, bool):
            raise ProviderError(f"{NAME} sent a balance {amount!r}, not a number", retryable=False)
        return str(amount)

    async def transaction(self, txn_hash: str) -> dict[str, Any]:
        found, _ = await self._request("GET", f"/transactions/by_hash/{quote(txn_hash, safe='')}", what="transaction")
        return _object(found, "transaction")

    # -- submission -------------------------------------------------------------------------

    async def submit(self, signed: bytes) -> dict[str, Any]:
        pending, _ = await self._request("POST", "/transactions", what="transaction submission", content=signed,
                                         content_type=SIGNED_TRANSACTION_BCS, once=True)
        return _object(pending, "submitted transaction")

    # -- plumbing ---------------------------------------------------------------------------

    def _client(self) -> httpx2.AsyncClient:
        if self._http is None:
            import httpx2

            self._http = httpx2.AsyncClient(timeout=httpx2.Timeout(self.settings.timeout, connect=10.0))
        return self._http

    def _policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.settings.max_attempts, initial_backoff=self.settings.initial_backoff,
                           timeout=self.settings.timeout)

    async def _request(self, method: str, path: str, *, what: str, params: Mapping[str, str] | None = None,
                       json_body: Any = None, content: bytes | None = None, content_type: str = "",
                       once: bool = False) -> tuple[Any, Mapping[str, str]]:
        url = self.require_node() + path
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        cap = self.settings.max_response_bytes

        async def attempt() -> tuple[Any, Mapping[str, str]]:
            async with transport_errors(what):
                async with self._client().stream(method, url, params=params, json=json_body, content=content,
                                                 headers=headers) as response:
                    if response.status_code >= 400:
                        raise status_error(response.status_code, await read_prefix(response), what)
                    body = await read_capped(response, cap, provider_id=NAME, what=what)
                    return _json(body, what), response.headers

        policy = self._policy()
        return await call_with_retries(attempt, replace(policy, max_attempts=1) if once else policy, what=f"{NAME} {what}")

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None


def _addr(address: bytes) -> str:
    return format_address(address)


def _version(ledger_version: int | None) -> dict[str, str]:
    return {} if ledger_version is None else {"ledger_version": str(ledger_version)}


def _json(body: bytes, what: str) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ProviderError(f"{NAME} sent a {what} reply that is not JSON", retryable=False) from None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProviderError(f"{NAME} sent a {what} that is not a JSON object", retryable=False)
    return value
