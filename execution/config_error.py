"""ConfigurationError: the server's own configuration — a data file it loads at start-up, a
setting — is unusable. The server refuses to start and prints it: each problem names the file
(or variable) and the field, e.g.

    pipeline library: configs/dada.json: parameters.temperature: 3 is greater than the maximum of 2
"""

from __future__ import annotations

from collections.abc import Sequence

from execution.errors import FlowexecError


class ConfigurationError(FlowexecError):
    def __init__(self, what: str, problems: Sequence[str]) -> None:
        self.what = what
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{what}: {p}" for p in self.problems))
