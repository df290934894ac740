"""AWS wire pieces the fake Bedrock speaks, written from the published formats (not with
botocore, which the SDK under test uses to sign and decode — a shared bug would hide):

- the binary event-stream framing of InvokeModelWithResponseStream: each message is a prelude
  (total length, headers length: big-endian uint32s) and its CRC32, headers (name length byte,
  name, type 7 = string, uint16 value length, value), the payload, and the CRC32 of all before it;
- Signature Version 4: the check of an `Authorization: AWS4-HMAC-SHA256 Credential=…,
  SignedHeaders=…, Signature=…` header against the request as received and a known secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

_STRING = 7


def event_stream_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    encoded = b"".join(
        struct.pack(">B", len(name.encode())) + name.encode() + struct.pack(">BH", _STRING, len(value.encode()))
        + value.encode()
        for name, value in headers.items())
    prelude = struct.pack(">II", 16 + len(encoded) + len(payload), len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
                   r"/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})")


@dataclass(frozen=True)
class SigV4:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @classmethod
    def parse(cls, authorization: str) -> SigV4 | None:
        match = _AUTH.fullmatch(authorization.strip())
        if match is None:
            return None
        return cls(match["key"], match["date"], match["region"], match["service"],
                   tuple(match["signed"].split(";")), match["signature"])

    def verifies(self, secret: str, method: str, raw_path: str, query: str, headers: Mapping[str, str],
                 body: bytes) -> bool:
        """True when the signature is the one `secret` makes for this request as received."""
        lowered: dict[str, list[str]] = {}
        for name, value in headers.items():
            lowered.setdefault(name.lower(), []).append(" ".join(value.split()))
        if "host" not in self.signed_headers or "x-amz-date" not in self.signed_headers:
            return False
        if any(name not in lowered for name in self.signed_headers):
            return False
        amz_date = lowered["x-amz-date"][0]
        canonical_query = "&".join(sorted(query.split("&"))) if query else ""
        canonical = "\n".join([
            method.upper(),
            quote(raw_path, safe="/~"),  # AWS signs the path encoded once more (every service but S3)
            canonical_query,
            "".join(f"{name}:{','.join(lowered[name])}\n" for name in self.signed_headers),
            ";".join(self.signed_headers),
            hashlib.sha256(body).hexdigest(),
        ])
        scope = f"{self.date}/{self.region}/{self.service}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = f"AWS4{secret}".encode()
        for part in (self.date, self.region, self.service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)
