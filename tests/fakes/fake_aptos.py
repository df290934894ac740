"""A fake Aptos fullnode speaking the REST API v1 (JSON formats as the real node writes them).

    GET  /v1                                     ledger info
    GET  /v1/accounts/{address}                  {"sequence_number": "11", "authentication_key"}
    GET  /v1/accounts/{address}/resources        pages of `page_size`, X-Aptos-Cursor for the next
    GET  /v1/accounts/{address}/resource/{type}  {"type", "data"}
    GET  /v1/accounts/{address}/module/{name}    {"bytecode", "abi"}
    POST /v1/view                                the `views` handler's list
    POST /v1/transactions                        a signed transaction in BCS: the Ed25519 signature
                                                 is verified (cryptography), sender and sequence
                                                 number checked; 202 pending, then committed
    GET  /v1/transactions/by_hash/{hash}         pending on the first look, then committed

Errors are the node's JSON: {"message", "error_code", "vm_error_code"}. `fail_next(status, ...)`
makes the next requests fail; `requests` logs every request as (method, path, query, body).
The signed transaction is taken apart by hand here (not with flowexec's decoder): raw bytes,
then the authenticator's 99 bytes (variant, 32-byte key, 64-byte signature).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.fakes.http_server import LocalHttpServer

APT = "0x1::aptos_coin::AptosCoin"
SALT = hashlib.sha3_256(b"APTOS::RawTransaction").digest()
AUTHENTICATOR_BYTES = 1 + 1 + 32 + 1 + 64


def long_address(text: str) -> str:
    digits = text.lower().removeprefix("0x")
    return "0x" + digits.rjust(64, "0")


@dataclass
class Account:
    sequence_number: int = 0
    resources: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: bytes


class FakeAptosNode:
    def __init__(self, *, chain_id: int = 4, page_size: int = 100) -> None:
        self.chain_id = chain_id
        self.page_size = page_size
        self.accounts: dict[str, Account] = {}
        # (address, module name) → ABI
        self.modules: dict[tuple[str, str], dict[str, Any]] = {}
        # function id → handler(type_arguments, arguments) → list
        self.views: dict[str, Callable[[list[str], list[Any]], list[Any]]] = {}
        self.transactions: dict[str, dict[str, Any]] = {}
        self.requests: list[Received] = []
        self._failures: deque[tuple[int, dict[str, Any]]] = deque()
        app = web.Application()
        app.add_routes([
            web.get("/v1", self.ledger),
            web.get("/v1/accounts/{address}", self.account),
            web.get("/v1/accounts/{address}/resources", self.resources),
            web.get("/v1/accounts/{address}/resource/{type}", self.resource),
            web.get("/v1/accounts/{address}/module/{name}", self.module),
            web.post("/v1/view", self.view),
            web.post("/v1/transactions", self.submit),
            web.get("/v1/transactions/by_hash/{hash}", self.by_hash),
        ])
        self._http = LocalHttpServer(app)

    @property
    def url(self) -> str:
        """The node as the seed writes APTOS_NODE_URL (without /v1)."""
        return self._http.url

    def account_at(self, address: str) -> Account:
        return self.accounts.setdefault(long_address(address), Account())

    def fail_next(self, status: int, message: str = "Service unavailable", error_code: str = "internal_error",
                  times: int = 1) -> None:
        for _ in range(times):
            self._failures.append((status, {"message": message, "error_code": error_code, "vm_error_code": None}))

    def count(self, method: str, path_start: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.path.startswith(path_start))

    async def __aenter__(self) -> FakeAptosNode:
        await self._http.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.stop()

    # -- handlers ---------------------------------------------------------------------------

    async def _log(self, request: web.Request) -> web.Response | None:
        self.requests.append(Received(request.method, request.path, dict(request.query), await request.read()))
        if self._failures:
            status, body = self._failures.popleft()
            return web.json_response(body, status=status)
        return None

    @staticmethod
    def _error(status: int, message: str, code: str) -> web.Response:
        return web.json_response({"message": message, "error_code": code, "vm_error_code": None}, status=status)

    def _found(self, request: web.Request) -> Account | None:
        return self.accounts.get(long_address(request.match_info["address"]))

    def _no_account(self, request: web.Request) -> web.Response:
        address = request.match_info["address"]
        return self._error(404, f"Account not found by Address({address}) and Ledger version(100)",
                           "account_not_found")

    async def ledger(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        return web.json_response({"chain_id": self.chain_id, "epoch": "7", "ledger_version": "100",
                                  "oldest_ledger_version": "0", "ledger_timestamp": "1700000000000000",
                                  "node_role": "full_node", "oldest_block_height": "0", "block_height": "50",
                                  "git_hash": "fake"})

    async def account(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        found = self._found(request)
        if found is None:
            return self._no_account(request)
        return web.json_response({"sequence_number": str(found.sequence_number),
                                  "authentication_key": long_address(request.match_info["address"])})

    async def resources(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        found = self._found(request)
        if found is None:
            return self._no_account(request)
        start = int(request.query.get("start", "0"))
        page = found.resources[start:start + self.page_size]
        more = start + self.page_size < len(found.resources)
        return web.json_response(page, headers={"X-Aptos-Cursor": str(start + self.page_size)} if more else {})

    async def resource(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        found = self._found(request)
        if found is None:
            return self._no_account(request)
        wanted = request.match_info["type"]
        for resource in found.resources:
            if resource["type"] == wanted:
                return web.json_response(resource)
        return self._error(404, f"Resource not found by Address({request.match_info['address']}), Struct tag({wanted}) "
                                "and Ledger version(100)", "resource_not_found")

    async def module(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        abi = self.modules.get((long_address(request.match_info["address"]), request.match_info["name"]))
        if abi is None:
            return self._error(404, "Module not found", "module_not_found")
        return web.json_response({"bytecode": "0xa11ceb0b", "abi": abi})

    async def view(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        body = json.loads(await request.read())
        handler = self.views.get(body.get("function", ""))
        if handler is None:
            return self._error(400, f"function not found: {body.get('function')}", "invalid_input")
        try:
            return web.json_response(handler(body.get("type_arguments", []), body.get("arguments", [])))
        except ValueError as exc:
            return self._error(400, str(exc), "invalid_input")

    async def submit(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        if request.content_type != "application/x.aptos.signed_transaction+bcs":
            return self._error(415, f"unsupported content type {request.content_type}", "unsupported_media_type")
        signed = await request.read()
        raw, auth = signed[:-AUTHENTICATOR_BYTES], signed[-AUTHENTICATOR_BYTES:]
        if auth[0] != 0 or auth[1] != 32 or auth[34] != 64:
            return self._error(400, "not a single Ed25519 authenticator", "invalid_input")
        public_key, signature = auth[2:34], auth[35:]
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, SALT + raw)
        except InvalidSignature:
            return self._error(400, "Invalid transaction: Type: Validation Code: INVALID_SIGNATURE", "vm_error")
        sender = "0x" + raw[:32].hex()
        if hashlib.sha3_256(public_key + b"\x00").digest() != raw[:32]:
            return self._error(400, "Invalid transaction: INVALID_AUTH_KEY", "vm_error")
        account = self.account_at(sender)
        sequence = int.from_bytes(raw[32:40], "little")
        if sequence != account.sequence_number:
            return self._error(400, f"Invalid transaction: SEQUENCE_NUMBER_TOO_OLD ({sequence})", "vm_error")
        account.sequence_number += 1
        txn_hash = "0x" + hashlib.sha3_256(hashlib.sha3_256(b"APTOS::Transaction").digest() + b"\x00" + signed).hexdigest()
        self.transactions[txn_hash] = {"raw": raw, "looks": 0}
        return web.json_response({"hash": txn_hash, "sender": sender, "sequence_number": str(sequence)}, status=202)

    async def by_hash(self, request: web.Request) -> web.Response:
        if (failed := await self._log(request)) is not None:
            return failed
        txn_hash = request.match_info["hash"]
        found = self.transactions.get(txn_hash)
        if found is None:
            return self._error(404, f"Transaction not found by Transaction hash({txn_hash})", "transaction_not_found")
        found["looks"] += 1
        if found["looks"] == 1:
            return web.json_response({"type": "pending_transaction", "hash": txn_hash})
        return web.json_response({"type": "user_transaction", "hash": txn_hash, "version": "101", "success": True,
                                  "vm_status": "Executed successfully"})
