"""Why an image was refused. Not a NodeError: the caller decides whose fault it is.

An image from node settings or cached outputs that is refused is the client's fault
(InvalidNodeInput); one from a provider response is the vendor's (ProviderError). The
processor (execution.images.processor) does that mapping.
"""

from __future__ import annotations


class ImageRejected(Exception):
    """An image could not be used; `reason` is a sentence fit for the node's error message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
