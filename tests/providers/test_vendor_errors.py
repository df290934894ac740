"""The error map both vendor boundaries share: Retry-After parsing and status classification."""

from __future__ import annotations

import email.utils

import pytest

from execution.errors import NotConfiguredError, ProviderError
from execution.providers.vendor_errors import MAX_VENDOR_MESSAGE, parse_retry_after, status_error


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": "3"}, 3.0),
    ({"retry-after": "1.5"}, 1.5),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
    ({"Retry-After": "-4"}, 0.0),
    ({"Retry-After": "soon"}, None),
    ({}, None),
])
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_as_http_date() -> None:
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after({"Retry-After": header}, now=now) == pytest.approx(7, abs=1)


@pytest.mark.parametrize(("status", "retryable"), [
    (400, False), (403, False), (404, False), (408, True), (413, False), (422, False), (429, True),
    (500, True), (501, False), (502, True), (503, True), (504, True), (529, True),
])
def test_status_classification(status: int, retryable: bool) -> None:
    err = status_error("mistral", status, "vendor says no", key_env="MISTRAL_API_KEY", secret=None)
    assert isinstance(err, ProviderError)
    assert err.retryable is retryable
    assert f"HTTP {status}" in err.message and "vendor says no" in err.message


def test_401_is_not_configured_and_never_quotes_the_vendor_body() -> None:
    err = status_error("glm", 401, "Incorrect API key provided: glm-abc***xyz", key_env="GLM_API_KEY", secret=None)
    assert isinstance(err, NotConfiguredError) and not err.retryable
    assert "GLM_API_KEY" in err.message and "abc" not in err.message


def test_429_keeps_the_hint_and_quota_is_final() -> None:
    limited = status_error("claude", 429, "slow down", key_env=None, secret=None, retry_after=2.0)
    assert isinstance(limited, ProviderError) and limited.retryable and limited.retry_after == 2.0
    quota = status_error("claude", 429, "spend limit", key_env=None, secret=None, retry_after=2.0, quota_exhausted=True)
    assert not quota.retryable and "quota" in quota.message


def test_long_vendor_messages_are_cut() -> None:
    err = status_error("mistral", 400, "x" * 5000, key_env=None, secret=None)
    assert len(err.message) < MAX_VENDOR_MESSAGE + 50
