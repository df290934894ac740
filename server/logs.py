"""Logging set-up: one line per record, every record redacted of secrets."""

from __future__ import annotations

import logging
import sys

from execution.redaction import RedactingFilter, SecretRedactor


def configure_logging(level: str, redactor: SecretRedactor) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The HTTP stacks log every request at INFO (httpx: image vendors; httpx2, the SDKs' transport) and
    # their connection pools at DEBUG: noise at load, and our own logs already say what each run did.
    for name in ("httpx", "httpx2", "httpcore", "httpcore2"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
