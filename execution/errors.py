"""Errors the engine knows.

    FlowexecError
    ├── GraphValidationError   the request is unusable; carries one Violation per culprit
    └── NodeError              one node failed; carries a StatusReason and `retryable`
        ├── InvalidNodeInput       settings/inputs unusable        (not retryable)
        │   └── InvalidSettings    one setting does not fit its type  (names the setting)
        ├── NotConfiguredError     provider missing key/config     (not retryable)
        ├── ProviderError          the vendor failed               (retryable per cause)
        │   └── ProviderRateLimited  HTTP 429: the vendor asks us to wait (retry_after)
        ├── NodeTimeout            a time limit passed             (retryable)
        └── RateLimited            a rate limit would make it wait too long (retryable)

Executors raise NodeError subclasses; anything else escaping an executor is a bug and
is reported as StatusReason.INTERNAL with the exception type only.
"""

from __future__ import annotations

from dataclasses import dataclass

from execution.events import StatusReason


class FlowexecError(Exception):
    """Base of every error flowexec raises on purpose."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a graph is invalid: `field` is a path into the request."""

    field: str
    description: str


class GraphValidationError(FlowexecError):
    """str() is a summary (the first few violations and how many more): it goes into log lines,
    and a request can have thousands of violations."""

    SUMMARY_VIOLATIONS = 3

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "; ".join(f"{v.field}: {v.description}" for v in violations[: self.SUMMARY_VIOLATIONS])
        more = len(violations) - self.SUMMARY_VIOLATIONS
        super().__init__(f"{shown} (and {more} more)" if more > 0 else shown)


class NodeError(FlowexecError):
    reason: StatusReason = StatusReason.INTERNAL
    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retryable is not None:
            self.retryable = retryable


class InvalidNodeInput(NodeError):
    reason = StatusReason.INVALID_INPUT


class InvalidSettings(InvalidNodeInput):
    """A node's settings do not fit its type's settings record. `field` is the setting's name
    as the editor spells it (`width`, `negativePrompt`), for a field path in validation."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotConfiguredError(NodeError):
    reason = StatusReason.NOT_CONFIGURED


class ProviderError(NodeError):
    """The vendor failed. `retry_after` (seconds) is the vendor's own hint, when it sent one."""

    reason = StatusReason.PROVIDER_ERROR

    def __init__(self, message: str, *, retryable: bool | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, retryable=retryable)
        self.retry_after = retry_after


class ProviderRateLimited(ProviderError):
    """The vendor rate-limited us (HTTP 429, not a spent quota). A chat call does not retry it
    in place: the node waits for `retry_after` (or a back-off) without holding a slot."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, retryable=True, retry_after=retry_after)


class NodeTimeout(NodeError):
    reason = StatusReason.TIMEOUT
    retryable = True


class RateLimited(NodeError):
    """Waiting for a rate limit — the user's budget for a provider, or the provider's own
    Retry-After — would take longer than the server waits. Later the budget has room again."""

    reason = StatusReason.RATE_LIMITED
    retryable = True
