"""The server's real log output, captured: the handler `flowexec serve` installs, on a buffer."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from execution.redaction import SecretRedactor
from server.logs import log_handler
from tests.fakes.llm_env import fake_anthropic, fake_openai
from tests.images.conftest import fake_fireworks, fake_glm, fake_hf, services

__all__ = ["fake_anthropic", "fake_fireworks", "fake_glm", "fake_hf", "fake_openai", "services"]


class ServerLog:
    def __init__(self) -> None:
        self.buffer = io.StringIO()

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def lines(self) -> list[str]:
        # Lines as a log file reader sees them: split on "\n" only (the record separator).
        return self.text.split("\n")[:-1]


@pytest.fixture
def server_log() -> Iterator[ServerLog]:
    log = ServerLog()
    handler = log_handler(SecretRedactor(), log.buffer)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield log
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
