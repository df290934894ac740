"""What Z.ai's image API takes: GLM-Image and CogView-4 model ids, and each model's size rules.

There are no steps, seed, negative prompt or guidance scale; width/height become `size`,
snapped to the model's rules: glm-image 1024–2048 px per side, multiples of 32, ≤ 2^22 px;
cogview-4 512–2048, multiples of 16, ≤ 2^21 px.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from execution.errors import InvalidNodeInput

DEFAULT_BASE_URL = "https://api.z.ai/api/paas/v4"
GLM_IMAGE = "glm-image"
COGVIEW_4 = "cogview-4-250304"
_MODEL_ID = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True, slots=True)
class SizeRule:
    low: int
    high: int
    multiple: int
    max_pixels: int

    def snap(self, width: int, height: int) -> tuple[int, int]:
        """The nearest size the model accepts, keeping the aspect ratio as far as the rules allow."""
        w, h = (self._side(width), self._side(height))
        while w * h > self.max_pixels:
            scale = math.sqrt(self.max_pixels / (w * h))
            w, h = self._side(int(w * scale), down=True), self._side(int(h * scale), down=True)
        return w, h

    def _side(self, value: int, down: bool = False) -> int:
        value = min(max(value, self.low), self.high)
        snapped = (value // self.multiple if down else round(value / self.multiple)) * self.multiple
        return min(max(snapped, self.low), self.high)


SIZE_RULES = {
    GLM_IMAGE: SizeRule(1024, 2048, 32, 2**22),
    COGVIEW_4: SizeRule(512, 2048, 16, 2**21),
}


def size_rule(model: str) -> SizeRule:
    return SIZE_RULES.get(model, SIZE_RULES[GLM_IMAGE])


def glm_image_model(model: str, default: str) -> str:
    """The API's model id for `model` (empty = `default`); InvalidNodeInput when it is not a GLM image model."""
    name = model.strip().lower() or default
    if name in ("glm-image", "glm_image", "glmimage"):
        return GLM_IMAGE
    if name == "cogview-4":
        return COGVIEW_4
    if name.startswith("cogview-") and _MODEL_ID.match(name):
        return name
    raise InvalidNodeInput(f"'{model}' is not a GLM image model (use {GLM_IMAGE} or {COGVIEW_4})")
