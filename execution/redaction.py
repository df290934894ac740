"""Keeps secret values (API keys) out of events, errors and logs.

Every configured secret is registered once; `redact` replaces any occurrence in a text
with a fixed mask (one left-to-right pass, the longest secret first where two start at the
same place). Error messages cross this before they become events, the server's log handler
runs every record through it, and a node's streamed text crosses a `StreamRedactor`.

Redact before you shorten: a text cut first may end inside a secret, and the piece left no
longer matches. Cutting a text that is already redacted is safe.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "[redacted]"
MIN_SECRET_LENGTH = 6


class SecretRedactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        # Every proper prefix of every secret: where a secret may be only partly seen yet.
        self._prefixes: frozenset[str] = frozenset()
        self._first_chars = ""
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        for secret in secrets:
            if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in self._secrets:
                self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)
        if self._secrets:
            self._pattern = re.compile("|".join(re.escape(s) for s in self._secrets))
            self._prefixes = frozenset(s[:k] for s in self._secrets for k in range(1, len(s)))
            self._first_chars = "".join(sorted({s[0] for s in self._secrets}))

    @property
    def active(self) -> bool:
        """Whether any secret is registered (with none, nothing needs scanning)."""
        return self._pattern is not None

    @property
    def longest(self) -> int:
        return len(self._secrets[0]) if self._secrets else 0

    def redact(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def partial_start(self, text: str) -> int:
        """Where in `text` a secret may begin that runs past its end (len(text) if nowhere).

        Only the last (longest secret − 1) characters can hold such a start.
        """
        n = len(text)
        start = max(0, n - self.longest + 1)
        found = n
        prefixes = self._prefixes
        for first in self._first_chars:
            p = text.find(first, start, found)
            while p != -1:
                if text[p:] in prefixes:
                    found = p
                    break
                p = text.find(first, p + 1, found)
        return found

    def stream(self) -> StreamRedactor:
        return StreamRedactor(self)


class StreamRedactor:
    """Redacts a text that arrives in chunks, a secret split across chunks included.

    `feed` returns what can be sent now and holds back at most (longest secret − 1)
    characters — only when they could be the start of a secret; `end` returns the rest.
    The concatenation of everything returned equals `redact` of the whole text.
    """

    __slots__ = ("_held", "_redactor")

    def __init__(self, redactor: SecretRedactor) -> None:
        self._redactor = redactor
        self._held = ""

    def feed(self, chunk: str) -> str:
        redactor = self._redactor
        pattern = redactor._pattern
        if pattern is None:
            return chunk
        text = self._held + chunk if self._held else chunk
        hold = redactor.partial_start(text)
        match = pattern.search(text)
        if match is None or match.start() >= hold:  # the common case: no secret in sight
            self._held = text[hold:]
            return text[:hold] if hold < len(text) else text
        # Matches that start before `hold` are final (a longer secret starting at the same
        # place would have put `hold` there). One may run past `hold`: keep going after it.
        out: list[str] = []
        pos = 0
        while match is not None and match.start() < hold:
            out.append(text[pos:match.start()])
            out.append(MASK)
            pos = match.end()
            match = pattern.search(text, pos)
        if pos < hold:
            out.append(text[pos:hold])
            pos = hold
        self._held = text[pos:]
        return "".join(out)

    def end(self) -> str:
        """The held-back rest, redacted: the stream is over, so it is whatever it is."""
        held, self._held = self._held, ""
        return self._redactor.redact(held)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record and redacts it in place."""

    def __init__(self, redactor: SecretRedactor) -> None:
        super().__init__()
        self._redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = self._redactor.redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = self._redactor.redact(record.exc_text)
        return True
