"""Long-lived dependencies an executor may use, handed to it through its NodeContext.

The server builds one Services at start-up (`Services.from_env`); tests and benchmarks
build their own. New node families add a field here rather than reaching for globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.redaction import SecretRedactor


@dataclass(frozen=True, slots=True)
class Services:
    redactor: SecretRedactor = field(default_factory=SecretRedactor)

    @classmethod
    def from_env(cls) -> Services:
        """Services configured from the process environment (API keys, base URLs, limits)."""
        return cls()
