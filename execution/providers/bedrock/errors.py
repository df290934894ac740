"""The one error boundary for AsyncAnthropicBedrock (the `anthropic` SDK, its httpx2
transport, and botocore, which signs requests and decodes the event stream).

Bedrock's errors are AWS's, not Anthropic's: an HTTP error carries `{"message": …}` and its
kind in the `x-amzn-ErrorType` header (`ThrottlingException:http://…`); an error inside the
event stream is an `exception` message whose type (`throttlingException`,
`modelStreamErrorException`, …) the SDK reports as an `error` event of that type. Anthropic's
own in-stream errors (`overloaded_error`, …) can also arrive, relayed inside a chunk.

    HTTP 403 UnrecognizedClient / InvalidSignature / ExpiredToken /
         IncompleteSignature / MissingAuthenticationToken → NotConfiguredError (check the AWS variables)
    HTTP 403 AccessDeniedException (model access not granted) → ProviderError, not retryable
    HTTP 400 ServiceQuotaExceededException                   → ProviderError, not retryable
    HTTP 424 ModelErrorException, 429 ModelNotReady / Throttling,
         408, 5xx, in-stream throttling / model-stream / internal / unavailable / timeout
                                                              → ProviderError (or NodeTimeout), retryable
    other HTTP statuses                                       → as vendor_errors draws them

Every credential value is masked in vendor text before it is quoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from execution.errors import NodeError, NodeTimeout, NotConfiguredError, ProviderError
from execution.providers.bedrock.credentials import AwsCredentials
from execution.providers.endpoint import Endpoint
from execution.providers.vendor_errors import parse_retry_after, short, status_error

_CREDENTIAL_ERRORS = frozenset({
    "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
    "IncompleteSignatureException", "MissingAuthenticationTokenException", "MissingAuthenticationToken",
})
# HTTP error kinds worth another attempt whatever their status says.
_RETRYABLE_ERRORS = frozenset({"ModelErrorException", "ModelNotReadyException", "ThrottlingException",
                               "ModelTimeoutException", "ServiceUnavailableException", "InternalServerException"})
# In-stream error types worth another attempt: Bedrock's, and Anthropic's relayed ones.
_TRANSIENT_STREAM_ERRORS = frozenset({
    "throttlingException", "modelStreamErrorException", "internalServerException", "serviceUnavailableException",
    "modelTimeoutException", "overloaded_error", "api_error", "rate_limit_error", "timeout_error",
})


def _masked(text: str, credentials: AwsCredentials) -> str:
    for secret in credentials.secrets:
        text = text.replace(secret, "[redacted]")
    return short(text, secret=None)


def _error_kind(headers: Any) -> str:
    """`ThrottlingException` from `x-amzn-ErrorType: ThrottlingException:http://…`."""
    value = headers.get("x-amzn-errortype") or ""
    return str(value).split(":", 1)[0]


def _body_message(body: object) -> str:
    if isinstance(body, dict):
        for key in ("message", "Message"):
            if isinstance(body.get(key), str):
                return str(body[key])
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
    return body if isinstance(body, str) else ""


@contextmanager
def bedrock_errors(endpoint: Endpoint, credentials: AwsCredentials) -> Iterator[None]:
    import anthropic
    import botocore.exceptions
    import httpx2

    pid = endpoint.provider_id
    try:
        yield
    except NodeError:
        raise
    except anthropic.APITimeoutError as err:
        raise NodeTimeout(f"{pid} did not answer within {endpoint.timeout:g} s") from err
    except anthropic.APIStatusError as err:
        message = _masked(err.api_message or _body_message(err.body), credentials)
        if err.status_code < 400:  # an exception or error event inside the stream
            stream_kind: str = err.type or "error"  # Bedrock's exception names are not in the SDK's type
            raise ProviderError(f"{pid} reported {stream_kind} mid-stream: {message}",
                                retryable=stream_kind in _TRANSIENT_STREAM_ERRORS) from err
        kind = _error_kind(err.response.headers)
        if kind in _CREDENTIAL_ERRORS:
            raise NotConfiguredError(f"{pid} rejected the AWS credentials (HTTP {err.status_code} {kind}): check "
                                     "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or "
                                     "AWS_BEARER_TOKEN_BEDROCK, and AWS_REGION") from err
        detail = f"{kind}: {message}" if kind else message
        mapped = status_error(pid, err.status_code, detail, key_env=None, secret=None,
                              retry_after=parse_retry_after(err.response.headers),
                              quota_exhausted=kind == "ServiceQuotaExceededException")
        if kind in _RETRYABLE_ERRORS and not mapped.retryable:
            mapped = ProviderError(mapped.message, retryable=True)
        if kind == "ServiceQuotaExceededException":
            mapped = ProviderError(mapped.message, retryable=False)
        raise mapped from err
    except anthropic.APIConnectionError as err:
        cause = f": {_masked(str(err.__cause__), credentials)}" if err.__cause__ else ""
        raise ProviderError(f"{pid} connection failed{cause}", retryable=True) from err
    except anthropic.AnthropicError as err:
        raise ProviderError(f"{pid} client error: {type(err).__name__}", retryable=False) from err
    except botocore.exceptions.BotoCoreError as err:  # signing, or decoding the event stream
        raise ProviderError(f"{pid} AWS client error: {type(err).__name__}", retryable=False) from err
    except httpx2.TimeoutException as err:
        raise NodeTimeout(f"{pid} did not answer within {endpoint.timeout:g} s") from err
    except httpx2.HTTPError as err:
        raise ProviderError(f"{pid} connection failed: {_masked(str(err), credentials)}", retryable=True) from err
    except ValueError as err:  # undecodable JSON in an event, unexpected shapes
        raise ProviderError(f"{pid} sent a malformed response: {type(err).__name__}", retryable=True) from err
