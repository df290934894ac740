"""Aptos transactions: an entry-function RawTransaction in BCS, what a signer signs, and the
signed transaction a fullnode accepts.

    RawTransaction = sender (32 bytes) · sequence_number u64 · payload · max_gas_amount u64 ·
                     gas_unit_price u64 · expiration_timestamp_secs u64 · chain_id u8
    payload        = variant 2 (EntryFunction) · module address · module name · function name ·
                     type arguments · arguments (each the BCS bytes of its value, as bytes)
    signing message = sha3-256("APTOS::RawTransaction") · BCS(RawTransaction)
    SignedTransaction = RawTransaction · authenticator variant 0 (Ed25519) · public key · signature

Checked against the Aptos SDK's validated corpus (tests/aptos/test_transactions.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from execution.aptos.arguments import decode_argument
from execution.aptos.bcs import BcsError, Deserializer, Serializer
from execution.aptos.move_types import ADDRESS_LENGTH, TypeTag, format_address

ENTRY_FUNCTION_PAYLOAD = 2
ED25519_AUTHENTICATOR = 0
RAW_TRANSACTION_SALT = hashlib.sha3_256(b"APTOS::RawTransaction").digest()
SALT_LENGTH = len(RAW_TRANSACTION_SALT)


@dataclass(frozen=True, slots=True)
class EntryFunction:
    address: bytes
    module: str
    function: str
    type_args: tuple[TypeTag, ...]
    # Each argument's BCS bytes.
    args: tuple[bytes, ...]

    @property
    def name(self) -> str:
        return f"{format_address(self.address)}::{self.module}::{self.function}"

    def serialize(self, out: Serializer) -> None:
        out.fixed_bytes(self.address)
        out.str(self.module)
        out.str(self.function)
        out.sequence(self.type_args, lambda o, t: t.serialize(o))
        out.sequence(self.args, lambda o, a: o.bytes(a))

    @staticmethod
    def deserialize(data: Deserializer) -> EntryFunction:
        address = data.fixed_bytes(ADDRESS_LENGTH)
        module, function = data.str(), data.str()
        type_args = tuple(data.sequence(TypeTag.deserialize))
        return EntryFunction(address, module, function, type_args, tuple(data.sequence(Deserializer.bytes)))

    def json(self, arg_types: Sequence[TypeTag]) -> dict[str, Any]:
        """Aptos's `entry_function_payload` JSON, the arguments decoded by their types."""
        return {
            "type": "entry_function_payload",
            "function": self.name,
            "type_arguments": [str(t) for t in self.type_args],
            "arguments": [decode_argument(t, a) for t, a in zip(arg_types, self.args, strict=True)],
        }


@dataclass(frozen=True, slots=True)
class RawTransaction:
    sender: bytes
    sequence_number: int
    payload: EntryFunction
    max_gas_amount: int
    gas_unit_price: int
    expiration_timestamp_secs: int
    chain_id: int

    def to_bcs(self) -> bytes:
        out = Serializer()
        out.fixed_bytes(self.sender)
        out.u64(self.sequence_number)
        out.uleb128(ENTRY_FUNCTION_PAYLOAD)
        self.payload.serialize(out)
        out.u64(self.max_gas_amount)
        out.u64(self.gas_unit_price)
        out.u64(self.expiration_timestamp_secs)
        out.u8(self.chain_id)
        return out.output()

    @staticmethod
    def from_bcs(raw: bytes) -> RawTransaction:
        """BcsError when `raw` is not exactly one entry-function RawTransaction."""
        data = Deserializer(raw)
        sender, sequence_number = data.fixed_bytes(ADDRESS_LENGTH), data.u64()
        variant = data.uleb128()
        if variant != ENTRY_FUNCTION_PAYLOAD:
            raise BcsError(f"payload variant {variant} is not an entry function")
        payload = EntryFunction.deserialize(data)
        txn = RawTransaction(sender, sequence_number, payload, data.u64(), data.u64(), data.u64(), data.u8())
        data.done()
        return txn

    def signing_message(self) -> bytes:
        """The bytes an Ed25519 signer signs."""
        return RAW_TRANSACTION_SALT + self.to_bcs()

    def signed(self, public_key: bytes, signature: bytes) -> bytes:
        """BCS of the SignedTransaction with a single Ed25519 authenticator."""
        out = Serializer()
        out.fixed_bytes(self.to_bcs())
        out.uleb128(ED25519_AUTHENTICATOR)
        out.bytes(public_key)
        out.bytes(signature)
        return out.output()

    def json(self, arg_types: Sequence[TypeTag]) -> dict[str, Any]:
        """The transaction as Aptos's REST API writes one (u64 fields as decimal strings)."""
        return {
            "sender": format_address(self.sender),
            "sequence_number": str(self.sequence_number),
            "max_gas_amount": str(self.max_gas_amount),
            "gas_unit_price": str(self.gas_unit_price),
            "expiration_timestamp_secs": str(self.expiration_timestamp_secs),
            "chain_id": self.chain_id,
            "payload": self.payload.json(arg_types),
        }
