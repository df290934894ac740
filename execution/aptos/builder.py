"""Building an entry-function transaction from JSON, with what only the node knows (sequence
number, chain id, and — unless given — the function's parameter types from its module's ABI),
and submitting it signed with the server's key.

The built transaction is returned unsigned for a wallet to sign: its BCS (what wallets take,
AIP-62's raw transaction bytes), the exact message an Ed25519 signer signs, and its JSON.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execution.aptos.arguments import ArgumentError, encode_argument
from execution.aptos.client import AptosClient
from execution.aptos.errors import NAME
from execution.aptos.move_types import TypeTag, format_address, parse_function, parse_type
from execution.aptos.signer import Ed25519Account
from execution.aptos.transactions import EntryFunction, RawTransaction
from execution.errors import InvalidNodeInput, NodeTimeout, ProviderError

_GENERIC = re.compile(r"\bT(\d+)\b")


@dataclass(frozen=True, slots=True)
class TransactionSpec:
    function: str
    type_arguments: tuple[str, ...] = ()
    arguments: tuple[Any, ...] = ()
    # The Move types of the arguments (signer parameters left out); None: read from the ABI.
    argument_types: tuple[str, ...] | None = None
    max_gas_amount: int = 100_000
    gas_unit_price: int = 100
    expiration_seconds: int = 600
    # None: the account's current one / the node's chain.
    sequence_number: int | None = None
    chain_id: int | None = None


@dataclass(frozen=True, slots=True)
class BuiltTransaction:
    raw: RawTransaction
    arg_types: tuple[TypeTag, ...]

    def values(self) -> dict[str, Any]:
        return {
            "raw_transaction_bcs": "0x" + self.raw.to_bcs().hex(),
            "signing_message": "0x" + self.raw.signing_message().hex(),
            "transaction": self.raw.json(self.arg_types),
        }


async def build_transaction(client: AptosClient, sender: bytes, spec: TransactionSpec) -> BuiltTransaction:
    """InvalidNodeInput for a spec that cannot be a transaction (naming the part); the node's
    errors as execution.aptos.errors says."""
    try:
        address, module, function = parse_function(spec.function)
        type_args = tuple(parse_type(t) for t in spec.type_arguments)
    except ValueError as exc:
        raise InvalidNodeInput(str(exc)) from None
    try:
        async with asyncio.TaskGroup() as tasks:
            types = tasks.create_task(_argument_types(client, address, module, function, spec))
            sequence = tasks.create_task(_sequence_number(client, sender, spec.sequence_number))
            chain = tasks.create_task(_chain_id(client, spec.chain_id))
    except ExceptionGroup as failed:  # the first of the node's errors, as the node's error
        raise failed.exceptions[0] from None
    arg_types = types.result()
    if len(spec.arguments) != len(arg_types):
        raise InvalidNodeInput(f"{spec.function} takes {len(arg_types)} arguments "
                               f"({', '.join(str(t) for t in arg_types) or 'none'}), not {len(spec.arguments)}")
    try:
        args = tuple(encode_argument(t, v, f"arguments[{i}]") for i, (t, v) in enumerate(zip(arg_types, spec.arguments,
                                                                                             strict=True)))
    except ArgumentError as exc:
        raise InvalidNodeInput(str(exc)) from None
    raw = RawTransaction(
        sender=sender,
        sequence_number=sequence.result(),
        payload=EntryFunction(address, module, function, type_args, args),
        max_gas_amount=spec.max_gas_amount,
        gas_unit_price=spec.gas_unit_price,
        expiration_timestamp_secs=int(time.time()) + spec.expiration_seconds,
        chain_id=chain.result(),
    )
    return BuiltTransaction(raw, arg_types)


async def _argument_types(client: AptosClient, address: bytes, module: str, function: str,
                          spec: TransactionSpec) -> tuple[TypeTag, ...]:
    if spec.argument_types is not None:
        texts: Sequence[str] = spec.argument_types
    else:
        abi = await client.module_abi(address, module)
        found = [f for f in abi.get("exposed_functions", []) if isinstance(f, dict) and f.get("name") == function]
        if not found:
            raise InvalidNodeInput(f"module {format_address(address)}::{module} has no function {function}")
        if not found[0].get("is_entry"):
            raise InvalidNodeInput(f"{spec.function} is not an entry function")
        params = [p for p in found[0].get("params", []) if isinstance(p, str)]
        texts = [p for p in params if p.lstrip("&").removeprefix("mut ").strip() != "signer"]
    try:
        return tuple(parse_type(_GENERIC.sub(lambda m: _type_argument(spec, int(m.group(1))), t)) for t in texts)
    except ValueError as exc:
        raise InvalidNodeInput(str(exc)) from None


def _type_argument(spec: TransactionSpec, index: int) -> str:
    if index >= len(spec.type_arguments):
        raise ValueError(f"{spec.function} needs type argument T{index}; {len(spec.type_arguments)} given")
    return spec.type_arguments[index]


async def _sequence_number(client: AptosClient, sender: bytes, given: int | None) -> int:
    if given is not None:
        return given
    account = await client.account(sender)
    return _whole(account.get("sequence_number"), "the account's sequence_number")


async def _chain_id(client: AptosClient, given: int | None) -> int:
    if given is not None:
        return given
    return _whole((await client.ledger_info()).get("chain_id"), "the ledger's chain_id")


def _whole(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise ProviderError(f"{NAME} sent {what} {value!r}, not a whole number", retryable=False)


async def submit_transaction(client: AptosClient, account: Ed25519Account, built: BuiltTransaction, *,
                             wait: bool) -> dict[str, Any]:
    """Sign with `account`, submit once; with `wait`, poll until the transaction is committed
    (FLOWEXEC_APTOS_WAIT_SECONDS). Returns hash and, when waited for, success/vm_status/version."""
    signed = built.raw.signed(account.public_key, account.sign(built.raw.signing_message()))
    pending = await client.submit(signed)
    txn_hash = pending.get("hash")
    if not isinstance(txn_hash, str):
        raise ProviderError(f"{NAME} accepted the transaction but sent no hash", retryable=False)
    if not wait:
        return {"hash": txn_hash, "committed": False}
    try:
        async with asyncio.timeout(client.settings.wait_seconds):
            while True:
                found = await client.transaction(txn_hash)
                if found.get("type") != "pending_transaction":
                    return {"hash": txn_hash, "committed": True, "success": found.get("success") is True,
                            "vm_status": str(found.get("vm_status", "")), "version": str(found.get("version", ""))}
                await asyncio.sleep(0.5)
    except TimeoutError:
        raise NodeTimeout(f"transaction {txn_hash} was submitted but not committed within "
                          f"{client.settings.wait_seconds:g} s", retryable=False) from None
