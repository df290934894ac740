"""The one error boundary for the `anthropic` SDK (and its httpx2 transport).

The SDK lets raw httpx2 errors escape while a stream is being read (a dropped connection
arrives as httpx2.RemoteProtocolError, a stalled one as httpx2.ReadTimeout), so the transport
is mapped here too. An `error` event inside a stream arrives as APIStatusError with the
stream's own status (200): it is classified by its error type. The map is drawn in
execution.providers.vendor_errors.

The SDK is imported when the boundary is entered, not with this module: only a provider that
sends (and so already created its client) enters it, and an idle process never loads the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from execution.errors import NodeError, NodeTimeout, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.vendor_errors import parse_retry_after, short, status_error

# Error codes (error.details.error_code) of a 402/429 that waiting will not fix.
_SPEND_LIMIT_CODES = frozenset({
    "contract_spend_limit_reached", "enforced_spend_limit_reached", "linked_organization_spend_limit_reached",
})
# In-stream error types worth another attempt.
_TRANSIENT_STREAM_ERRORS = frozenset({"overloaded_error", "api_error", "rate_limit_error", "timeout_error"})


@contextmanager
def anthropic_errors(endpoint: Endpoint) -> Iterator[None]:
    import anthropic
    import httpx2

    pid = endpoint.provider_id
    key = endpoint.api_key
    try:
        yield
    except NodeError:
        raise
    except anthropic.APITimeoutError as err:
        raise NodeTimeout(f"{pid} did not answer within {endpoint.timeout:g} s") from err
    except anthropic.APIStatusError as err:
        message = err.api_message or ""
        if err.status_code < 400:  # an `error` event inside the stream
            kind = err.type or "error"
            raise ProviderError(f"{pid} reported {kind} mid-stream: {short(message, secret=key)}",
                                retryable=kind in _TRANSIENT_STREAM_ERRORS) from err
        raise status_error(pid, err.status_code, message, key_env=endpoint.key_env, secret=key,
                           retry_after=parse_retry_after(err.response.headers),
                           quota_exhausted=err.error_code in _SPEND_LIMIT_CODES) from err
    except anthropic.APIConnectionError as err:
        cause = f": {short(str(err.__cause__), secret=key)}" if err.__cause__ else ""
        raise ProviderError(f"{pid} connection failed{cause}", retryable=True) from err
    except anthropic.AnthropicError as err:
        raise ProviderError(f"{pid} client error: {type(err).__name__}", retryable=False) from err
    except httpx2.TimeoutException as err:
        raise NodeTimeout(f"{pid} did not answer within {endpoint.timeout:g} s") from err
    except httpx2.HTTPError as err:
        raise ProviderError(f"{pid} connection failed: {short(str(err), secret=key)}", retryable=True) from err
    except ValueError as err:  # undecodable JSON in an event, unexpected shapes
        raise ProviderError(f"{pid} sent a malformed response: {type(err).__name__}", retryable=True) from err
