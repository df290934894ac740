"""Image policies: the size, byte budget and formats one destination accepts (data only).

Each place an image goes — a vision model, a node output — has a frozen ImagePolicy; the
processor normalises an image to fit it. Figures come from the vendors' documented
limits (each vendor's API documentation on image input):

- Anthropic: ≤ 5 MB per image as base64 (so ≤ 3.75 MB raw), ≤ 8000² px, long edge
  ≤ 1568 px recommended (larger images are downscaled by the API anyway).
- OpenAI-compatible vision: Mistral ≤ 10 MB (pixtral downsizes to 1024²); GLM-4.6v < 5 MB,
  ≤ 6000², JPEG/PNG only — the strictest of them sets the shared policy.
- Florence-2 works at 768²; 1024 keeps a margin without shipping pixels it drops.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from execution.images.limits import MAX_DECODE_PIXELS, MAX_IMAGE_BYTES_IN, MAX_IMAGE_BYTES_OUT, MIB


class ImageFormat(enum.Enum):
    """Formats we encode to; the value is Pillow's format name."""

    JPEG = "JPEG"
    PNG = "PNG"
    WEBP = "WEBP"

    @property
    def mime_type(self) -> str:
        return f"image/{self.value.lower()}"


# Formats we decode. Anything else (TIFF, ICO, PSD, HEIC, …) is refused by name.
DECODABLE_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "GIF", "BMP")

MIME_BY_PILLOW_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
                         "GIF": "image/gif", "BMP": "image/bmp"}


@dataclass(frozen=True, slots=True)
class ImagePolicy:
    name: str
    # Longest side after normalisation, in pixels.
    max_side: int
    # Encoded size budget, in bytes.
    max_bytes: int
    # Formats the destination accepts, in order of preference for opaque images.
    formats: tuple[ImageFormat, ...]
    # Decompression-bomb guard: width × height read from the header before decoding.
    max_pixels: int = MAX_DECODE_PIXELS
    # Largest encoded input accepted at all.
    max_input_bytes: int = MAX_IMAGE_BYTES_IN
    # Lossy qualities tried in turn until the image fits the byte budget.
    qualities: tuple[int, ...] = (90, 84, 76, 68, 58, 48)
    # Each further shrink when no quality fits multiplies the sides by this...
    shrink_step: float = 0.75
    # ...but never below this longest side (or max_side, if that is smaller).
    min_side: int = 256
    # Whether an image may pass through with its EXIF/XMP/comments/PNG text (camera, GPS,
    # generation parameters). Images for vendors do not: those get re-encoded without them.
    pass_metadata: bool = False

    def __post_init__(self) -> None:
        if not self.formats:
            raise ValueError(f"image policy {self.name!r} allows no format")
        if self.max_side < 1 or self.max_bytes < 1:
            raise ValueError(f"image policy {self.name!r}: max_side and max_bytes must be positive")


# Images sent to an OpenAI-compatible vision chat model (Mistral, GLM, HF router, OpenRouter).
VISION_OPENAI_COMPATIBLE = ImagePolicy(
    name="vision-openai-compatible", max_side=1568, max_bytes=3 * MIB + MIB // 2,
    formats=(ImageFormat.JPEG, ImageFormat.PNG),
)
# Images sent to Claude as base64 image blocks (3.5 MiB raw is 4.67 MB of base64 < 5 MB).
VISION_CLAUDE = ImagePolicy(
    name="vision-claude", max_side=1568, max_bytes=3 * MIB + MIB // 2,
    formats=(ImageFormat.JPEG, ImageFormat.PNG, ImageFormat.WEBP),
)
# Images sent to Florence-2 through HF inference (raw bytes body).
VISION_FLORENCE = ImagePolicy(
    name="vision-florence-2", max_side=1024, max_bytes=3 * MIB,
    formats=(ImageFormat.JPEG, ImageFormat.PNG),
)
# Images a node outputs (generated, or passed through): what travels to the editor.
NODE_OUTPUT = ImagePolicy(
    name="node-output", max_side=2048, max_bytes=MAX_IMAGE_BYTES_OUT,
    formats=(ImageFormat.JPEG, ImageFormat.PNG, ImageFormat.WEBP), pass_metadata=True,
)
