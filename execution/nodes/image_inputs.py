"""Where image nodes get their images: node settings (a data URL or base64 in `data`) or an
upstream node's output (bytes — computed in this run, or sent back in cached_outputs).

Both are client input: whatever is wrong with them (bad base64, not an image, a
decompression bomb, truncated bytes) is InvalidNodeInput naming the setting or the edge.
"""

from __future__ import annotations

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.images import (
    MAX_IMAGE_BYTES_IN,
    ImagePolicy,
    ImageRejected,
    PreparedImage,
    image_bytes_from_setting,
)
from execution.outputs import Image


def setting_image_bytes(value: object, setting: str) -> bytes | None:
    """The raw image a setting holds (its value as sent), or None when it is not set."""
    try:
        return image_bytes_from_setting(value, field=setting, max_bytes=MAX_IMAGE_BYTES_IN)
    except ImageRejected as exc:
        raise InvalidNodeInput(exc.reason) from None


def upstream_image(ctx: NodeContext) -> Image | None:
    """The first image among the node's text inputs, in edge order."""
    return next((o.image for o in ctx.inputs if o.image is not None and o.image.data), None)


async def prepare_image(ctx: NodeContext, raw: bytes, policy: ImagePolicy, *, what: str) -> PreparedImage:
    """Decode, check and normalise a client image for `policy` (off the event loop)."""
    return await ctx.services.images.processor.from_client(raw, policy, what=what)
