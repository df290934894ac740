"""What HuggingFace inference (hf-inference via the router) takes for images.

Text-to-image takes every GenerationRequest field (width, height, steps, guidance scale,
negative prompt, seed) as documented `parameters`; models are Hub repo ids, a few FLUX
spellings accepted. Florence-2 captioning takes the raw image and no instruction.
"""

from __future__ import annotations

import re

from execution.errors import InvalidNodeInput

DEFAULT_BASE_URL = "https://router.huggingface.co/hf-inference/models"
FLUX_SCHNELL = "black-forest-labs/FLUX.1-schnell"
FLUX_DEV = "black-forest-labs/FLUX.1-dev"
MODEL_ALIASES = {
    "flux.1-schnell": FLUX_SCHNELL, "flux-schnell": FLUX_SCHNELL, "flux-1-schnell": FLUX_SCHNELL,
    "flux.1-dev": FLUX_DEV, "flux-dev": FLUX_DEV, "flux-1-dev": FLUX_DEV,
}
FLORENCE_2 = "microsoft/Florence-2-large"
# A Hub repo id: it goes into the URL path, so nothing else is accepted.
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def repo_id(model: str) -> str:
    """`model` if it is a Hub repo id ('owner/name'); InvalidNodeInput otherwise."""
    if not _REPO_ID.match(model) or ".." in model:
        raise InvalidNodeInput(f"'{model}' is not a HuggingFace model id (expected 'owner/name')")
    return model
