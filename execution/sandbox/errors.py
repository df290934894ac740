"""What can go wrong running user code in the sandbox, as NodeErrors the engine already reports.

    NodeError                                            (execution.errors)
    └── SandboxError            base; `failure` says which case, for tests and logs
        ├── SandboxUnavailable   custom code is off, or the kernel boundary (bubblewrap) is
        │                        missing or unusable here           NOT_CONFIGURED, not retryable
        ├── CodeTimeout          past its wall-clock or CPU-time limit TIMEOUT, not retryable
        ├── CodeLimitExceeded    past its memory, process, file-size, disk or output limit;
        │                        `limit` names it                    INVALID_INPUT, not retryable
        ├── CodeFailed           the code raised, did not define `main`, or returned something
        │                        that is not a JSON object; the message quotes the exception
        │                                                            INVALID_INPUT, not retryable
        └── SandboxCrashed       the sandbox ended without a verdict the user code could have
                                 caused (bubblewrap failed, the worker did not start)
                                                                     INTERNAL, retryable

Each of them ends only the node that ran the code: the sandbox is a separate process, and what
happens inside it reaches the server as one of these.
"""

from __future__ import annotations

import enum

from execution.errors import NodeError
from execution.events import StatusReason


class SandboxFailure(enum.Enum):
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"
    LIMIT = "limit"
    CODE_ERROR = "code_error"
    CRASHED = "crashed"


class Limit(enum.Enum):
    """The resource a CodeLimitExceeded ran out of."""

    MEMORY = "memory"
    PROCESSES = "processes"
    FILE_SIZE = "file_size"
    DISK = "disk"
    OUTPUT = "output"


class SandboxError(NodeError):
    failure: SandboxFailure = SandboxFailure.CRASHED


class SandboxUnavailable(SandboxError):
    failure = SandboxFailure.UNAVAILABLE
    reason = StatusReason.NOT_CONFIGURED


class CodeTimeout(SandboxError):
    failure = SandboxFailure.TIMEOUT
    reason = StatusReason.TIMEOUT
    # The same code with the same inputs runs as long again.
    retryable = False


class CodeLimitExceeded(SandboxError):
    failure = SandboxFailure.LIMIT
    reason = StatusReason.INVALID_INPUT

    def __init__(self, limit: Limit, message: str) -> None:
        super().__init__(message)
        self.limit = limit


class CodeFailed(SandboxError):
    failure = SandboxFailure.CODE_ERROR
    reason = StatusReason.INVALID_INPUT


class SandboxCrashed(SandboxError):
    failure = SandboxFailure.CRASHED
    reason = StatusReason.INTERNAL
    retryable = True
