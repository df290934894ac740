"""The one base64 / data-URL module: what it writes for vendors reads back through the strict
reader of node settings, and vendor replies are read leniently."""

from __future__ import annotations

import base64

import pytest

from execution.data_urls import base64_payload, data_url, decode_base64, parse_data_url
from execution.images import image_bytes_from_setting
from execution.outputs import Image
from tests.images import samples

RAW = samples.solid((8, 8))


def test_a_written_data_url_reads_back_as_the_same_bytes() -> None:
    url = data_url(Image(RAW, "image/png"))
    assert url.startswith("data:image/png;base64,")
    assert image_bytes_from_setting(url, field="image", max_bytes=1_000_000) == RAW


def test_parse_data_url_splits_header_and_payload() -> None:
    parsed = parse_data_url("DATA:Image/PNG;charset=x;Base64,AAAA")
    assert parsed is not None and (parsed.mime, parsed.params, parsed.payload) == ("image/png", ("charset=x", "base64"),
                                                                                  "AAAA")
    assert parsed.is_base64
    assert parse_data_url("AAAA") is None and parse_data_url("data:image/png;base64") is None


@pytest.mark.parametrize("text", [
    base64.b64encode(RAW).decode().rstrip("="),
    "data:image/png;base64," + base64.b64encode(RAW).decode().rstrip("="),
], ids=["bare-unpadded", "data-url-unpadded"])
def test_a_vendor_payload_is_read_bare_or_as_a_data_url(text: str) -> None:
    assert base64_payload(text) == RAW


def test_strict_decoding_refuses_what_lenient_decoding_skips() -> None:
    assert decode_base64("QU*JD", strict=False) == b"ABC"
    with pytest.raises(ValueError):
        decode_base64("QU*JD", strict=True)
    assert decode_base64("QUJD\nREVG", strict=True) == b"ABCDEF"
