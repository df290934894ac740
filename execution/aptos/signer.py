"""The server's Ed25519 account (APTOS_PRIVATE_KEY), for the nodes allowed to submit.

The key is 32 bytes of hex, `0x` optional, or AIP-80's `ed25519-priv-0x…`. Its account address
is sha3-256(public key · 0x00) (the single-Ed25519 scheme). Ed25519 signatures are
deterministic (RFC 8032), so a transaction signs to the same bytes every time.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from execution.errors import NotConfiguredError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SINGLE_ED25519_SCHEME = b"\x00"


class Ed25519Account:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.address = hashlib.sha3_256(self.public_key + SINGLE_ED25519_SCHEME).digest()

    @classmethod
    def from_hex(cls, text: str, env_name: str = "APTOS_PRIVATE_KEY") -> Ed25519Account:
        """NotConfiguredError naming `env_name` (never quoting the key) when it is not a key."""
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        value = text.strip()
        value = value.removeprefix("ed25519-priv-")
        value = value[2:] if value[:2].lower() == "0x" else value
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise NotConfiguredError(f"{env_name} is not an Ed25519 private key (64 hex digits)")
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)
