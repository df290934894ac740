"""What Fireworks FLUX (Black Forest Labs FLUX.1 schnell / dev, FP8) takes.

An aspect ratio from a fixed list, never width/height; guidance scale, steps and seed (0
means random, so a seed is sent only when set); no negative prompt. Models are Fireworks
model ids, a few FLUX spellings accepted.
"""

from __future__ import annotations

import math
import re

from execution.errors import InvalidNodeInput

DEFAULT_BASE_URL = "https://api.fireworks.ai/inference/v1"
FLUX_SCHNELL = "flux-1-schnell-fp8"
FLUX_DEV = "flux-1-dev-fp8"
MODEL_ALIASES = {
    "flux.1-schnell": FLUX_SCHNELL, "flux-1-schnell": FLUX_SCHNELL, "flux-schnell": FLUX_SCHNELL,
    "black-forest-labs/flux.1-schnell": FLUX_SCHNELL,
    "flux.1-dev": FLUX_DEV, "flux-1-dev": FLUX_DEV, "flux-dev": FLUX_DEV,
    "black-forest-labs/flux.1-dev": FLUX_DEV,
}
ASPECT_RATIOS = ("1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4")
_MODEL_ID = re.compile(r"^[\w.-]+$")


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The documented ratio closest to width:height (compared on a log scale)."""
    target = math.log(width / height)

    def distance(ratio: str) -> float:
        w, h = (int(p) for p in ratio.split(":"))
        return abs(math.log(w / h) - target)

    return min(ASPECT_RATIOS, key=distance)


def fireworks_model(model: str, default: str) -> str:
    """The Fireworks model id for `model` (empty = `default`); InvalidNodeInput when it cannot be one."""
    model = model.strip()
    if not model:
        return default
    model = MODEL_ALIASES.get(model.lower(), model)
    model = model.removeprefix("accounts/fireworks/models/")
    if not _MODEL_ID.match(model):
        raise InvalidNodeInput(f"'{model}' is not a Fireworks model id")
    return model
