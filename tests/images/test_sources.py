"""Images as node settings carry them: data URLs and bare base64, checked before decoding."""

from __future__ import annotations

import base64

import pytest

from execution.images import ImageRejected, image_bytes_from_setting
from tests.images import samples

RAW = samples.solid((8, 8))
LIMIT = 1_000_000


def read(value: object, max_bytes: int = LIMIT) -> bytes | None:
    return image_bytes_from_setting(value, field="image", max_bytes=max_bytes)


@pytest.mark.parametrize("value", [
    samples.data_url(RAW),
    samples.data_url(RAW, "image/jpeg"),          # the declared type is not trusted, only sniffed later
    "data:image/png;charset=utf-8;base64," + samples.b64(RAW),
    "DATA:IMAGE/PNG;BASE64," + samples.b64(RAW),
    samples.b64(RAW),
    "  " + samples.b64(RAW) + "\n",
    "\n".join(samples.b64(RAW)[i:i + 76] for i in range(0, len(samples.b64(RAW)), 76)),
    samples.b64(RAW).rstrip("="),
    base64.urlsafe_b64encode(RAW).decode(),
    "data:application/octet-stream;base64," + samples.b64(RAW),
], ids=["data-url", "declared-jpeg", "params", "upper-case", "bare", "padded-spaces", "line-wrapped",
        "no-padding", "url-safe", "octet-stream"])
def test_accepted_forms(value: str) -> None:
    assert read(value) == RAW


@pytest.mark.parametrize("value", [None, "", "   "])
def test_absent(value: object) -> None:
    assert read(value) is None


@pytest.mark.parametrize(("value", "reason"), [
    ("https://example.com/cat.png", "the server does not fetch URLs"),
    ("data:text/plain;base64,aGVsbG8=", "not an image"),
    ("data:image/png," + "%89PNG", "must be base64-encoded"),
    ("data:image/png;base64", "not a valid data URL"),
    ("this is not base64!", "not valid base64"),
    (12345, "must be a data URL or a base64 string, not int"),
    ({"data": "abc"}, "not dict"),
], ids=["url", "text-mime", "not-base64-url", "no-comma", "garbage", "number", "object"])
def test_refused(value: object, reason: str) -> None:
    with pytest.raises(ImageRejected, match=reason):
        read(value)


def test_size_is_checked_on_the_text_before_decoding() -> None:
    huge = "A" * 4_000_000  # would decode to 3 MB
    with pytest.raises(ImageRejected, match="about 2.9 MiB decoded; the limit is 1.0 MiB"):
        read(huge, max_bytes=1024 * 1024)
