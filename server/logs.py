"""Logging set-up: one line per record, every record redacted of secrets and safe to read.

Log messages name things a client chose (flow ids, node ids and types, error texts): a newline
in a flow id would forge a log line, and NUL or a bidi override (U+202E) would land in the
file as is. So the formatter writes every record's message as one line, with control, bidi
and line-separator characters escaped (`\\n`, `\\x00`, `\\u202e`) and its size bounded. A
traceback stays multi-line, but each of its lines is escaped, bounded and indented: a line
that starts at column 0 is always the start of a record.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from execution.quoting import escape_controls, truncate_utf8
from execution.redaction import RedactingFilter, SecretRedactor

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Longest message, and longest traceback line, in UTF-8 bytes (after escaping).
MAX_MESSAGE_BYTES = 1500
TRACEBACK_INDENT = "  "


def safe_line(text: str, max_bytes: int = MAX_MESSAGE_BYTES) -> str:
    """`text` as one bounded line: controls escaped, cut with a note of how much was left out."""
    line = escape_controls(text)
    if len(line) * 4 <= max_bytes or len(line.encode("utf-8", "surrogatepass")) <= max_bytes:
        return line
    return f"{truncate_utf8(line, max_bytes - 32)} [{len(line)} chars]"


class SafeFormatter(logging.Formatter):
    """A Formatter whose records each start with one escaped, bounded line (see module doc)."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = safe_line(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        for block in (record.exc_text, record.stack_info and self.formatStack(record.stack_info)):
            if block:
                text += "".join(f"\n{TRACEBACK_INDENT}{safe_line(line)}" for line in block.split("\n"))
        return text


def log_handler(redactor: SecretRedactor, stream: TextIO | None = None) -> logging.Handler:
    """The server's handler: secrets redacted (RedactingFilter), then SafeFormatter."""
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(SafeFormatter(FORMAT))
    handler.addFilter(RedactingFilter(redactor))
    return handler


def configure_logging(level: str, redactor: SecretRedactor) -> None:
    root = logging.getLogger()
    root.handlers[:] = [log_handler(redactor)]
    root.setLevel(level.upper())
    # httpx2 (the SDKs' transport and the image vendors' client) logs every request at INFO and its
    # connection pool (httpcore2) at DEBUG: noise at load, and our own logs already say what each run did.
    for name in ("httpx2", "httpcore2"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
