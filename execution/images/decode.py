"""Decode untrusted image bytes with Pillow: identify, guard, verify, load, orient.

Order matters for safety: the format is identified and the pixel count checked from the
header before any pixel is decoded (decompression bombs), `verify()` catches structural
corruption, and `load()` catches truncation. Every failure, whatever Pillow raised, leaves
as ImageRejected with a sentence saying what is wrong. Synchronous and CPU-bound: callers
run it off the event loop (execution.images.processor).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from execution.images.errors import ImageRejected
from execution.images.policy import DECODABLE_FORMATS, ImagePolicy

EXIF_ORIENTATION = 0x0112
# Source modes every browser and vision model reads as they are.
PORTABLE_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA"})
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")

# Formats we recognise by their first bytes only to name them in the refusal.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, int, str], ...] = (
    (b"II*\x00", 0, "TIFF"), (b"MM\x00*", 0, "TIFF"), (b"8BPS", 0, "PSD"), (b"%PDF", 0, "PDF"),
    (b"\x00\x00\x01\x00", 0, "ICO"), (b"ftypheic", 4, "HEIC"), (b"ftypheix", 4, "HEIC"),
    (b"ftypmif1", 4, "HEIF"), (b"ftypavif", 4, "AVIF"), (b"\xff\x0a", 0, "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", 0, "JPEG XL"),
)


@dataclass(frozen=True, slots=True)
class DecodedImage:
    # Loaded pixels, EXIF orientation applied, mode one of L, LA, RGB, RGBA (alpha kept only if used).
    pixels: Image.Image
    source_format: str
    source_size: tuple[int, int]
    # True when the pixels were rotated/flipped per EXIF (the source bytes display differently).
    reoriented: bool
    frames: int
    # Pillow mode of the source (CMYK, I;16, … cannot be passed through to browsers and models).
    source_mode: str
    # The source carries EXIF, XMP, comments or PNG text chunks.
    has_metadata: bool


def fit_within(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """`size` scaled down (never up) so its longest side is at most max_side."""
    width, height = size
    longest = max(width, height)
    if longest <= max_side:
        return size
    scale = max_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def decode(raw: bytes, policy: ImagePolicy) -> DecodedImage:
    if not raw:
        raise ImageRejected("the image is empty (0 bytes)")
    if len(raw) > policy.max_input_bytes:
        raise ImageRejected(f"the image is {len(raw):,} bytes; the limit is {policy.max_input_bytes:,}")
    fmt, size = _inspect(raw, policy)
    try:
        image = Image.open(io.BytesIO(raw), formats=(fmt,))
        frames = int(getattr(image, "n_frames", 1))
        if frames > 1:
            image.seek(0)
        if fmt == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the target is that much smaller.
            image.draft("RGB", fit_within(size, policy.max_side))
        image.load()
        orientation = int(image.getexif().get(EXIF_ORIENTATION, 1) or 1)
        reoriented = orientation not in (0, 1)
        pixels: Image.Image = ImageOps.exif_transpose(image) if reoriented else image
        return DecodedImage(_normalise_mode(pixels), fmt, size, reoriented, frames, image.mode,
                            _carries_metadata(image))
    except Exception as exc:
        raise ImageRejected(f"the {fmt} image is truncated or corrupt ({_detail(exc)})") from None


def _inspect(raw: bytes, policy: ImagePolicy) -> tuple[str, tuple[int, int]]:
    """Format and size from the header (nothing decoded), then Pillow's structural verify."""
    try:
        probe = Image.open(io.BytesIO(raw), formats=DECODABLE_FORMATS)
    except Image.DecompressionBombError:
        raise ImageRejected("the image declares far too many pixels (decompression-bomb guard)") from None
    except UnidentifiedImageError:
        raise ImageRejected(_unidentified(raw)) from None
    except Exception as exc:
        raise ImageRejected(f"the image is truncated or corrupt ({_detail(exc)})") from None
    fmt = probe.format or "unknown"
    width, height = probe.size
    if width <= 0 or height <= 0:
        raise ImageRejected(f"the {fmt} image has no pixels ({width}×{height})")
    if width * height > policy.max_pixels:
        raise ImageRejected(f"the image is {width}×{height} ({width * height / 1e6:.0f} MP); the limit is "
                            f"{policy.max_pixels / 1e6:.0f} MP (decompression-bomb guard)")
    try:
        probe.verify()
    except Exception as exc:
        raise ImageRejected(f"the {fmt} image is truncated or corrupt ({_detail(exc)})") from None
    return fmt, (width, height)


def _carries_metadata(image: Image.Image) -> bool:
    if len(image.getexif()) or any(key in image.info for key in ("xmp", "XML:com.adobe.xmp", "comment")):
        return True
    return bool(getattr(image, "text", None))  # PNG tEXt/iTXt/zTXt chunks


def _normalise_mode(image: Image.Image) -> Image.Image:
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "RGB") and image.mode not in _ALPHA_MODES:
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, I;16, F, …
    if image.mode in _ALPHA_MODES:
        opaque_mode = "L" if image.mode in ("LA", "La") else "RGB"
        image = image.convert("LA" if opaque_mode == "L" else "RGBA")
        low, _high = image.getchannel("A").getextrema()
        if low == 255:  # an alpha channel nobody uses
            image = image.convert(opaque_mode)
    return image


def _unidentified(raw: bytes) -> str:
    for magic, offset, name in _KNOWN_UNSUPPORTED:
        if raw[offset:offset + len(magic)] == magic:
            return f"unsupported image format {name}; send JPEG, PNG, WebP, GIF or BMP"
    head = raw[:256].lstrip()
    if head[:1] in (b"<", b"{", b"["):
        return "not an image: the bytes look like text (HTML, XML or JSON)"
    if b"<svg" in raw[:1024].lower():
        return "unsupported image format SVG; send JPEG, PNG, WebP, GIF or BMP"
    return "not an image: the bytes are not in any image format we read (JPEG, PNG, WebP, GIF, BMP)"


def _detail(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__
