"""Running user Python (custom_code nodes) in a separate process behind a kernel boundary.

Never in the server process and never behind a language-level filter: bubblewrap namespaces
(no network, an empty environment, its own pids, a read-only root with a private /tmp) plus
rlimits, a wall-clock timeout and an output cap; every failure is a typed NodeError that ends
only the node.

- `sandbox.py`  CodeSandbox: on/off, the one-time probe, concurrency, the entry point
- `pool.py`     warm workers, each used for one job
- `worker.py`   one sandboxed process: start, job, verdict, kill
- `runner.py`   the program inside (standard library only): limits, job, verdict
- `command.py`  the bubblewrap command line and who it runs as
- `policy.py`   the limits, as frozen data; `settings.py` reads them from the environment
- `errors.py`   the error hierarchy
"""

from execution.sandbox.errors import (
    CodeFailed,
    CodeLimitExceeded,
    CodeTimeout,
    Limit,
    SandboxCrashed,
    SandboxError,
    SandboxFailure,
    SandboxUnavailable,
)
from execution.sandbox.policy import SandboxPolicy
from execution.sandbox.sandbox import CodeSandbox
from execution.sandbox.settings import SandboxSettings
from execution.sandbox.worker import SandboxResult

__all__ = [
    "CodeFailed",
    "CodeLimitExceeded",
    "CodeSandbox",
    "CodeTimeout",
    "Limit",
    "SandboxCrashed",
    "SandboxError",
    "SandboxFailure",
    "SandboxPolicy",
    "SandboxResult",
    "SandboxSettings",
    "SandboxUnavailable",
]
