"""The one error boundary for the `openai` SDK (and its aiohttp transport behind httpx2).

Everything raised inside `openai_errors(endpoint)` leaves as our NodeError family; the map is
drawn in execution.providers.vendor_errors. Our own errors pass through untouched.

The SDK's aiohttp transport (openai 3.x `DefaultAioHttpClient`) maps every aiohttp connection
error — a refused connection, a server that hung up mid-stream — to httpx2.ConnectTimeout (the
anthropic SDK's copy of the same transport maps them to ConnectError). A "timeout" whose root
is an aiohttp connection error that is not a timeout is therefore reported as the connection
failure it was.

The SDK is imported when the boundary is entered, not with this module: only a provider that
sends (and so already created its client) enters it, and an idle process never loads the SDK.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from execution.errors import NodeError, NodeTimeout, ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.vendor_errors import parse_retry_after, short, status_error

_QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached"})


def _body_field(body: Any, name: str) -> str:
    """`error.<name>` whether the SDK kept the whole body or only its `error` object."""
    if not isinstance(body, dict):
        return ""
    inner = body["error"] if isinstance(body.get("error"), dict) else body
    value = inner.get(name)
    return value if isinstance(value, str) else ""


def _connection_lost(err: BaseException) -> BaseException | None:
    """The aiohttp error behind a "timeout" from the transport when it was really a lost or
    refused connection; None for a real timeout."""
    import aiohttp

    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, aiohttp.ClientError):
        cause = cause.__cause__
    if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(cause, TimeoutError):
        return cause
    return None


@contextmanager
def openai_errors(endpoint: Endpoint) -> Iterator[None]:
    import httpx2
    import openai

    pid = endpoint.provider_id
    key = endpoint.api_key
    try:
        yield
    except NodeError:
        raise
    except (openai.APITimeoutError, httpx2.TimeoutException) as err:
        lost = _connection_lost(err)
        if lost is None:
            raise NodeTimeout(f"{pid} did not answer within {endpoint.timeout:g} s") from err
        raise ProviderError(f"{pid} connection failed: {short(str(lost) or type(lost).__name__, secret=key)}",
                            retryable=True) from err
    except openai.APIStatusError as err:
        body = err.body
        message = _body_field(body, "message") or (body if isinstance(body, str) else "")
        quota = bool({_body_field(body, "code"), _body_field(body, "type")} & _QUOTA_CODES)
        raise status_error(pid, err.status_code, message, key_env=endpoint.key_env, secret=key,
                           retry_after=parse_retry_after(err.response.headers),
                           quota_exhausted=quota) from err
    except openai.APIConnectionError as err:
        cause = f": {short(str(err.__cause__), secret=key)}" if err.__cause__ else ""
        raise ProviderError(f"{pid} connection failed{cause}", retryable=True) from err
    except openai.APIError as err:
        # An `error` object inside an otherwise healthy stream (e.g. OpenRouter relaying an upstream fault).
        raise ProviderError(f"{pid} reported an error mid-stream: {short(err.message, secret=key)}",
                            retryable=True) from err
    except openai.OpenAIError as err:
        raise ProviderError(f"{pid} client error: {type(err).__name__}", retryable=False) from err
    except httpx2.HTTPError as err:
        raise ProviderError(f"{pid} connection failed: {short(str(err), secret=key)}", retryable=True) from err
    except ValueError as err:  # undecodable JSON in a stream frame, unexpected shapes
        raise ProviderError(f"{pid} sent a malformed response: {type(err).__name__}", retryable=True) from err
