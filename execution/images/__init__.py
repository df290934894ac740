"""Server-side image handling (Pillow): decode untrusted bytes safely and normalise them
for where they go next — a vision model, an image provider, a node output.

    source     data URLs / base64 from node settings → bytes
    decode     identify, bomb guard, verify, load, EXIF orientation
    encode     resize and re-encode under a byte budget
    policy     per-destination limits (frozen data)
    processor  the async front: off the event loop, refusal → the right NodeError
    limits     the byte and pixel limits the gRPC server sizes its messages by
"""

from execution.images.errors import ImageRejected
from execution.images.limits import (
    MAX_DECODE_PIXELS,
    MAX_IMAGE_BYTES_IN,
    MAX_IMAGE_BYTES_OUT,
    SUGGESTED_GRPC_MAX_MESSAGE_BYTES,
)
from execution.images.policy import (
    NODE_OUTPUT,
    VISION_CLAUDE,
    VISION_FLORENCE,
    VISION_OPENAI_COMPATIBLE,
    ImageFormat,
    ImagePolicy,
)
from execution.images.processor import ImageProcessor, PreparedImage, prepare
from execution.images.source import image_bytes_from_setting

__all__ = [
    "MAX_DECODE_PIXELS", "MAX_IMAGE_BYTES_IN", "MAX_IMAGE_BYTES_OUT", "NODE_OUTPUT",
    "SUGGESTED_GRPC_MAX_MESSAGE_BYTES", "VISION_CLAUDE", "VISION_FLORENCE", "VISION_OPENAI_COMPATIBLE",
    "ImageFormat", "ImagePolicy", "ImageProcessor", "ImageRejected", "PreparedImage",
    "image_bytes_from_setting", "prepare",
]
