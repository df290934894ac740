"""Re-encode decoded pixels into an allowed format under a byte budget.

Opaque images try the policy's formats in its order (lossy ones from the best quality
down); images that really use transparency try PNG, then lossy WebP with alpha, and are
flattened onto white for JPEG only when nothing else is allowed. When no quality fits,
the image shrinks (policy.shrink_step) and tries again, down to policy.min_side.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from PIL import Image

from execution.images.decode import fit_within
from execution.images.errors import ImageRejected
from execution.images.policy import ImageFormat, ImagePolicy

RESAMPLE = Image.Resampling.LANCZOS
# Resize in steps of reducing_gap× with a cheap filter first: much faster, visually the same.
REDUCING_GAP = 3.0


def resize_within(pixels: Image.Image, max_side: int) -> Image.Image:
    size = fit_within(pixels.size, max_side)
    if size == pixels.size:
        return pixels
    return pixels.resize(size, RESAMPLE, reducing_gap=REDUCING_GAP)


def encode_within(pixels: Image.Image, policy: ImagePolicy) -> tuple[bytes, ImageFormat, tuple[int, int]]:
    """Encoded bytes, their format and the final size; raises ImageRejected if nothing fits."""
    floor = min(policy.min_side, policy.max_side)
    current = resize_within(pixels, policy.max_side)
    while True:
        for data, fmt in _attempts(current, policy):
            if len(data) <= policy.max_bytes:
                return data, fmt, current.size
        longest = max(current.size)
        if longest <= floor:
            raise ImageRejected(f"the image does not fit in {policy.max_bytes:,} bytes even at {longest} px")
        current = resize_within(pixels, max(floor, int(longest * policy.shrink_step)))


def _attempts(pixels: Image.Image, policy: ImagePolicy) -> Iterator[tuple[bytes, ImageFormat]]:
    has_alpha = pixels.mode in ("RGBA", "LA")
    allowed = policy.formats
    if has_alpha:
        if ImageFormat.PNG in allowed:
            yield _save(pixels, ImageFormat.PNG), ImageFormat.PNG
        if ImageFormat.WEBP in allowed:
            yield from _lossy_ladder(pixels.convert("RGBA"), ImageFormat.WEBP, policy)
        if ImageFormat.JPEG in allowed:
            yield from _lossy_ladder(_flatten(pixels), ImageFormat.JPEG, policy)
        return
    for fmt in allowed:
        if fmt is ImageFormat.PNG:
            yield _save(pixels, fmt), fmt
        else:
            opaque = pixels if pixels.mode in ("RGB", "L") else pixels.convert("RGB")
            yield from _lossy_ladder(opaque, fmt, policy)


def _lossy_ladder(pixels: Image.Image, fmt: ImageFormat,
                  policy: ImagePolicy) -> Iterator[tuple[bytes, ImageFormat]]:
    """Best quality first; skips the whole ladder when even the lowest quality is too big."""
    lowest = _save(pixels, fmt, min(policy.qualities))
    if len(lowest) > policy.max_bytes:
        yield lowest, fmt
        return
    for quality in sorted(policy.qualities, reverse=True)[:-1]:
        data = _save(pixels, fmt, quality)
        yield data, fmt
        if len(data) <= policy.max_bytes:
            return
    yield lowest, fmt


def _flatten(pixels: Image.Image) -> Image.Image:
    rgba = pixels.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _save(pixels: Image.Image, fmt: ImageFormat, quality: int = 0) -> bytes:
    """Encode with the ICC profile (colours stay right) and no other metadata."""
    buffer = io.BytesIO()
    icc = pixels.info.get("icc_profile") or None
    profile = {"icc_profile": icc} if icc else {}
    if fmt is ImageFormat.JPEG:
        pixels.save(buffer, "JPEG", quality=quality, optimize=False, **profile)
    elif fmt is ImageFormat.WEBP:
        if pixels.mode not in ("RGB", "RGBA"):
            pixels = pixels.convert("RGBA" if "A" in pixels.mode else "RGB")
        pixels.save(buffer, "WEBP", quality=quality, method=4, **profile)
    else:
        pixels.save(buffer, "PNG", compress_level=6, **profile)
    return buffer.getvalue()
