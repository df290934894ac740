"""Images as base64 text and data URLs: the one place that writes them and takes them apart.

Writing: vendors that take images inline — OpenAI-compatible `image_url` parts want a data URL
(`data:<mime>;base64,…`), Anthropic image blocks want the bare base64 text.

Reading: `parse_data_url` splits a data URL's header from its payload; `decode_base64` reads
the payload either strictly (what a client sends us: standard or URL-safe alphabet, line
breaks and missing padding allowed, any other character refused) or leniently (what a vendor
returns: missing padding allowed, stray characters skipped). Both raise ValueError
(binascii.Error is one); callers turn it into their own error.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from execution.outputs import Image

_DATA_URL = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*),", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def base64_text(data: bytes) -> str:
    """`data` as standard base64 (ASCII text, padded)."""
    return base64.b64encode(data).decode("ascii")


def data_url(image: Image) -> str:
    """`image` as a base64 data URL."""
    return f"data:{image.mime_type};base64,{base64_text(image.data)}"


@dataclass(frozen=True, slots=True)
class DataUrl:
    # Lower-cased; "" when the URL names none.
    mime: str
    # Lower-cased parameters after the media type ("base64", "charset=…").
    params: tuple[str, ...]
    payload: str

    @property
    def is_base64(self) -> bool:
        return "base64" in self.params


def parse_data_url(text: str) -> DataUrl | None:
    """The parts of a data URL, or None when `text` is not one (no `data:` or no comma)."""
    match = _DATA_URL.match(text)
    if match is None:
        return None
    params = tuple(p.strip().lower() for p in match["params"].split(";") if p.strip())
    return DataUrl(match["mime"].strip().lower(), params, text[match.end():])


def decode_base64(text: str, *, strict: bool = True) -> bytes:
    """The bytes of base64 `text` (padding may be missing).

    strict: whitespace is dropped, the URL-safe alphabet is accepted, anything else outside
    the alphabet raises ValueError. Lenient: characters outside the alphabet are skipped.
    """
    if not strict:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    compact = _WHITESPACE.sub("", text)
    compact += "=" * (-len(compact) % 4)
    altchars = b"-_" if ("-" in compact or "_" in compact) else None
    return base64.b64decode(compact, altchars=altchars, validate=True)


def base64_payload(text: str) -> bytes:
    """The bytes of a vendor's base64 image field, bare or as a data URL (lenient decoding)."""
    parsed = parse_data_url(text)
    return decode_base64(parsed.payload if parsed is not None else text, strict=False)
