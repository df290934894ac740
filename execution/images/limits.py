"""Byte and pixel limits for images entering or leaving the engine.

These are the figures the gRPC server sizes its messages by. An image enters as node
settings (`data.image`, base64 inside the Struct: ~4/3 of its bytes), as a cached output
(raw bytes) or as a provider response; it leaves as NodeOutput.image (raw bytes).

    MAX_IMAGE_BYTES_IN     16 MiB  any encoded image we accept (after base64 decoding)
    MAX_IMAGE_BYTES_OUT     8 MiB  any image we put into a NodeOutput (re-encoded to fit)
    MAX_DECODE_PIXELS      40 MP   decompression-bomb guard, checked from the header
                                   before any pixel is decoded (40 MP RGBA ≈ 160 MB)

A request carrying images in settings is bounded by Limits.max_node_data_bytes per node
(16 MiB, i.e. ~12 MiB of image after base64). A response event carries at most one
NodeOutput image (≤ 8 MiB); RunCompleted repeats every output, so a run with N image
nodes sends up to N × 8 MiB in that last message unless the server leaves images out of it.
SUGGESTED_GRPC_MAX_MESSAGE_BYTES is the size we recommend for both directions.
"""

from __future__ import annotations

MIB = 1024 * 1024

MAX_IMAGE_BYTES_IN = 16 * MIB
MAX_IMAGE_BYTES_OUT = 8 * MIB
MAX_DECODE_PIXELS = 40_000_000
# A generous ceiling for one gRPC message either way: a few images in settings or cached
# outputs plus the graph itself.
SUGGESTED_GRPC_MAX_MESSAGE_BYTES = 64 * MIB
