"""ExecutionMode: where a run's task-selected models come from — `eco` (local models through
Ollama: free, slower, the data stays on the machine) or `fast` (cloud models through
OpenRouter: paid, faster). A node's own `executionMode` setting wins over the request's
(ExecutionOptions.execution_mode), which wins over the server's FLOWEXEC_EXECUTION_MODE."""

from __future__ import annotations

import enum


class ExecutionMode(enum.Enum):
    ECO = "eco"
    FAST = "fast"

    @classmethod
    def parse(cls, value: str) -> ExecutionMode:
        """`eco` or `fast`, case and surrounding blanks ignored; ValueError otherwise."""
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(f'must be "eco" or "fast", not {value!r}') from None
