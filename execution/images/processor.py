"""Normalise an image for one destination, off the event loop, with bounded parallelism.

`prepare` is the whole job the browser used to do on its main thread: decode and verify,
apply EXIF orientation, downscale to the policy's max side, re-encode under its byte
budget. An image that already fits (allowed format, small enough, upright, one frame, a
portable pixel mode, and no metadata unless the policy passes it) is passed through byte
for byte. Re-encoding keeps the ICC colour profile and drops everything else. ImageProcessor
runs it in a worker thread, at most `max_parallel` at once (each may hold up to ~160 MB of
pixels), and says whose fault a refusal is: the client's (InvalidNodeInput) or the
provider's (ProviderError).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

from execution.errors import InvalidNodeInput, ProviderError
from execution.images.decode import PORTABLE_MODES, decode
from execution.images.encode import encode_within
from execution.images.errors import ImageRejected
from execution.images.policy import ImagePolicy
from execution.outputs import Image


@dataclass(frozen=True, slots=True)
class PreparedImage:
    image: Image
    width: int
    height: int
    source_format: str
    # False when the input bytes were passed through unchanged.
    reencoded: bool

    def describe(self) -> str:
        """A short label for logs and dry-run text, e.g. 'image/jpeg 1024×768, 181,233 bytes'."""
        return f"{self.image.mime_type} {self.width}×{self.height}, {len(self.image.data):,} bytes"


def prepare(raw: bytes, policy: ImagePolicy) -> PreparedImage:
    """Synchronous and CPU-bound; raises ImageRejected."""
    decoded = decode(raw, policy)
    width, height = decoded.pixels.size
    allowed = {fmt.value: fmt for fmt in policy.formats}
    fits = (
        decoded.source_format in allowed
        and not decoded.reoriented
        and decoded.frames == 1
        and decoded.source_mode in PORTABLE_MODES
        and (policy.pass_metadata or not decoded.has_metadata)
        and max(width, height) <= policy.max_side
        and len(raw) <= policy.max_bytes
    )
    if fits:
        mime = allowed[decoded.source_format].mime_type
        return PreparedImage(Image(raw, mime), width, height, decoded.source_format, reencoded=False)
    data, fmt, (width, height) = encode_within(decoded.pixels, policy)
    return PreparedImage(Image(data, fmt.mime_type), width, height, decoded.source_format, reencoded=True)


class ImageProcessor:
    def __init__(self, max_parallel: int | None = None) -> None:
        self.max_parallel = max_parallel or min(4, os.cpu_count() or 1)
        self._slots: asyncio.Semaphore | None = None

    async def prepare(self, raw: bytes, policy: ImagePolicy) -> PreparedImage:
        """Raises ImageRejected."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_parallel)
        async with self._slots:
            return await asyncio.to_thread(prepare, raw, policy)

    async def from_client(self, raw: bytes, policy: ImagePolicy, *, what: str) -> PreparedImage:
        """An image the client sent (settings, cached outputs): refusal → InvalidNodeInput."""
        try:
            return await self.prepare(raw, policy)
        except ImageRejected as exc:
            raise InvalidNodeInput(f"{what}: {exc.reason}") from None

    async def from_provider(self, raw: bytes, policy: ImagePolicy, *, provider: str) -> PreparedImage:
        """An image a provider returned: refusal → ProviderError (not retried)."""
        try:
            return await self.prepare(raw, policy)
        except ImageRejected as exc:
            raise ProviderError(f"{provider} returned an unusable image: {exc.reason}",
                                retryable=False) from None
