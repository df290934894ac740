"""What Claude models can do: Claude's prompt dialect and image policy (base64 image blocks).

No model takes a temperature: API version 2026-10-21 (the `anthropic` SDK 2.x default)
rejects sampling parameters.
"""

from __future__ import annotations

from execution.images import VISION_CLAUDE
from execution.prompts.vision import Dialect
from execution.providers.profile import ProviderProfile, SamplingSupport

CLAUDE_PROFILE = ProviderProfile(dialect=Dialect.CLAUDE, image_policy=VISION_CLAUDE,
                                 sampling=SamplingSupport(models=()))
