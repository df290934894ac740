"""Pillow normalisation: orientation, resize, re-encode, byte budget, passthrough, and every
kind of bad input refused with a clear reason (never an exception of Pillow's own)."""

from __future__ import annotations

import dataclasses

import pytest
from PIL import Image

from execution.images import (
    NODE_OUTPUT,
    VISION_CLAUDE,
    VISION_OPENAI_COMPATIBLE,
    ImageFormat,
    ImagePolicy,
    ImageRejected,
    prepare,
)
from tests.images import samples

SMALL_BUDGET = ImagePolicy("test-small", max_side=512, max_bytes=60_000, formats=(ImageFormat.JPEG,))


def test_fitting_image_passes_through_byte_for_byte() -> None:
    raw = samples.solid((300, 200), fmt="PNG")
    prepared = prepare(raw, VISION_OPENAI_COMPATIBLE)
    assert prepared.image.data == raw
    assert (prepared.image.mime_type, prepared.width, prepared.height) == ("image/png", 300, 200)
    assert not prepared.reencoded


def test_exif_orientation_is_applied() -> None:
    prepared = prepare(samples.oriented_jpeg(orientation=6, size=(60, 40)), VISION_CLAUDE)
    assert prepared.reencoded  # the source bytes display rotated: they cannot pass through
    assert (prepared.width, prepared.height) == (40, 60)
    assert samples.open_image(prepared.image.data).size == (40, 60)
    # Stored left half (red) becomes the top after a 90° clockwise turn.
    top, bottom = samples.rgb(prepared.image.data, (20, 8)), samples.rgb(prepared.image.data, (20, 52))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]


def test_downscaled_to_the_policy_max_side_keeping_aspect() -> None:
    raw = samples.encode(samples.halves((3200, 1800)), "PNG")
    prepared = prepare(raw, VISION_CLAUDE)
    assert (prepared.width, prepared.height) == (1568, 882)
    assert samples.open_image(prepared.image.data).size == (1568, 882)


def test_large_jpeg_decodes_through_draft_and_lands_on_the_exact_size() -> None:
    raw = samples.encode(samples.noise((4000, 3000)), "JPEG", quality=90)
    prepared = prepare(raw, VISION_OPENAI_COMPATIBLE)
    assert (prepared.width, prepared.height) == (1568, 1176)
    assert prepared.image.mime_type == "image/jpeg"


def test_byte_budget_is_met_by_lowering_quality_then_shrinking() -> None:
    raw = samples.encode(samples.noise((500, 500)), "PNG")  # ~750 kB of incompressible pixels
    prepared = prepare(raw, SMALL_BUDGET)
    assert len(prepared.image.data) <= SMALL_BUDGET.max_bytes
    assert prepared.image.mime_type == "image/jpeg"
    assert samples.open_image(prepared.image.data).format == "JPEG"
    assert max(prepared.width, prepared.height) < 500  # quality alone could not do it


def test_reencoded_to_an_allowed_format() -> None:
    raw = samples.solid((100, 80), fmt="WEBP")
    prepared = prepare(raw, VISION_OPENAI_COMPATIBLE)  # JPEG/PNG only (GLM-4.6v)
    assert prepared.image.mime_type == "image/jpeg"
    assert samples.open_image(prepared.image.data).format == "JPEG"


def test_transparency_is_kept_in_png_and_webp() -> None:
    png = prepare(samples.transparent_png((64, 64)), dataclasses.replace(VISION_CLAUDE, max_side=32))
    assert png.image.mime_type == "image/png"
    assert samples.open_image(png.image.data).mode == "RGBA"
    webp_only = ImagePolicy("webp", max_side=64, max_bytes=1_000_000, formats=(ImageFormat.WEBP,))
    webp = prepare(samples.transparent_png((64, 64)), webp_only)
    assert webp.image.mime_type == "image/webp"
    assert samples.open_image(webp.image.data).mode == "RGBA"


def test_transparency_is_flattened_onto_white_for_jpeg_only_destinations() -> None:
    jpeg_only = ImagePolicy("jpeg", max_side=64, max_bytes=1_000_000, formats=(ImageFormat.JPEG,))
    prepared = prepare(samples.transparent_png((64, 64)), jpeg_only)
    assert min(samples.rgb(prepared.image.data, (1, 1))) >= 245  # was transparent
    assert samples.rgb(prepared.image.data, (32, 32))[1] > 150    # the opaque green square


def test_unused_alpha_is_dropped() -> None:
    raw = samples.solid((40, 40), color=(10, 20, 30, 255), mode="RGBA", fmt="WEBP")
    prepared = prepare(raw, VISION_OPENAI_COMPATIBLE)
    assert prepared.image.mime_type == "image/jpeg"


def test_animated_gif_becomes_its_first_frame() -> None:
    frames = [Image.new("RGB", (32, 32), c) for c in (samples.RED, samples.BLUE)]
    raw = samples.encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    prepared = prepare(raw, NODE_OUTPUT)
    assert prepared.reencoded and prepared.source_format == "GIF"
    assert samples.rgb(prepared.image.data, (5, 5))[0] > 150


def test_cmyk_jpeg_is_converted() -> None:
    prepared = prepare(samples.solid((50, 50), color=(0, 255, 255, 0), mode="CMYK", fmt="JPEG"), VISION_CLAUDE)
    assert samples.open_image(prepared.image.data).mode == "RGB"


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "empty"),
    (b"just some text, certainly not pixels", "not an image"),
    (b'{"error": "model is loading"}', "look like text"),
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "look like text"),
    (samples.solid((40, 40), fmt="TIFF"), "unsupported image format TIFF"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "look like text"),
], ids=["empty", "text", "json", "html", "tiff", "svg"])
def test_non_images_are_refused_by_name(raw: bytes, reason: str) -> None:
    with pytest.raises(ImageRejected, match=reason):
        prepare(raw, NODE_OUTPUT)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_truncated_images_are_refused(fmt: str) -> None:
    raw = samples.encode(samples.noise((200, 200)), fmt)
    with pytest.raises(ImageRejected, match="truncated or corrupt"):
        prepare(samples.truncated(raw), NODE_OUTPUT)


def test_decompression_bomb_beyond_pillows_own_limit_is_refused_from_the_header() -> None:
    with pytest.raises(ImageRejected, match="decompression-bomb guard"):
        prepare(samples.bomb_png(100_000, 100_000), NODE_OUTPUT)


def test_decompression_bomb_under_pillows_limit_is_refused_by_ours() -> None:
    raw = samples.sparse_bilevel_png((10_000, 5_000))  # 50 MP in ~6 kB
    assert len(raw) < 20_000
    with pytest.raises(ImageRejected, match=r"10000×5000 \(50 MP\); the limit is 40 MP"):
        prepare(raw, NODE_OUTPUT)


def test_oversized_input_is_refused_before_decoding() -> None:
    tight = dataclasses.replace(NODE_OUTPUT, max_input_bytes=1000)
    with pytest.raises(ImageRejected, match="the limit is 1,000"):
        prepare(samples.encode(samples.noise((100, 100)), "PNG"), tight)


def test_a_budget_nothing_can_meet_is_reported() -> None:
    impossible = ImagePolicy("tiny", max_side=256, max_bytes=200, formats=(ImageFormat.PNG,))
    with pytest.raises(ImageRejected, match="does not fit in 200 bytes"):
        prepare(samples.encode(samples.noise((256, 256)), "PNG"), impossible)


def test_metadata_never_passes_through_to_vendors_but_does_to_the_editor() -> None:
    image = samples.halves((80, 60))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    raw = samples.encode(image, "JPEG", quality=90, exif=exif.tobytes())
    for_vendor = prepare(raw, VISION_CLAUDE)
    assert for_vendor.reencoded and not samples.open_image(for_vendor.image.data).getexif()
    assert prepare(raw, NODE_OUTPUT).image.data == raw
    png_with_text = samples.encode(image, "PNG", pnginfo=_png_text("parameters", "secret prompt, seed 42"))
    assert b"secret prompt" not in prepare(png_with_text, VISION_OPENAI_COMPATIBLE).image.data


def test_reencoding_keeps_the_colour_profile() -> None:
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = samples.encode(samples.halves((3000, 200)), "PNG", icc_profile=icc)
    prepared = prepare(raw, VISION_CLAUDE)
    assert prepared.reencoded and samples.open_image(prepared.image.data).info.get("icc_profile") == icc


def _png_text(key: str, value: str) -> object:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info
