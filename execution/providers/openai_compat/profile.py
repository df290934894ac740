"""What OpenAI-compatible models can do: the standard prompt dialect, the image policy the
strictest of their vision models sets (JPEG/PNG, ≤ 3.5 MiB), and a temperature on every model.
A provider whose default chat model reads no images names a vision model on its catalogue row.
"""

from __future__ import annotations

from execution.images import VISION_OPENAI_COMPATIBLE
from execution.prompts.vision import Dialect
from execution.providers.profile import ProviderProfile

OPENAI_COMPATIBLE_PROFILE = ProviderProfile(dialect=Dialect.STANDARD, image_policy=VISION_OPENAI_COMPATIBLE)
