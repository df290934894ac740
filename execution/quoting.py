"""How strings from a request appear inside messages and log lines: escaped and shortened.

A client can send a node id of ten megabytes, or one holding a newline, NUL or a bidi override.
A message that names it must stay one readable line of bounded size: control characters are
written as escapes (`\\n`, `\\x00`, `\\u202e`) and a long string is cut to a prefix plus its
length.
"""

from __future__ import annotations

import re

# Longest client string quoted whole in a message (characters, before escaping).
MAX_QUOTED_CHARS = 64

# C0 and C1 controls (tab, newline and NEL included), DEL, bidi marks, embeddings, overrides
# and isolates, and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control, bidi and line-separator character written as an escape."""
    if text.isascii() and text.isprintable():  # the common case: nothing to do
        return text
    return _CONTROLS.sub(_escape, text)


def shorten(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """`text` escaped, cut to `limit` characters with the original length noted when longer."""
    if len(text) <= limit:
        return escape_controls(text)
    return f"{escape_controls(text[:limit])}… ({len(text)} chars)"


def quote(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """`text` in single quotes, escaped and shortened: `'abc'`, `'aaaa…' (10000 chars)`."""
    if len(text) <= limit:
        return f"'{escape_controls(text)}'"
    return f"'{escape_controls(text[:limit])}…' ({len(text)} chars)"


def truncate_utf8(text: str, max_bytes: int) -> str:
    """`text` cut so its UTF-8 encoding stays within `max_bytes` (an ellipsis marks the cut)."""
    if len(text) * 4 <= max_bytes:
        return text
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    kept = data[: max(0, max_bytes - 3)].decode("utf-8", "ignore")
    return kept + "…"
