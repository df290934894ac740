"""What OpenAI-compatible models can do: the standard prompt dialect, the image policy the
strictest of their vision models sets (JPEG/PNG, ≤ 3.5 MiB), a temperature on every model, and
structured output through `response_format` json_schema. A provider whose default chat model
reads no images names a vision model on its catalogue row; one whose API has no json_schema
response format (GLM: json_object only) says so there.
"""

from __future__ import annotations

from execution.images import VISION_OPENAI_COMPATIBLE
from execution.prompts.vision import Dialect
from execution.providers.profile import ProviderProfile, StructuredOutput

OPENAI_COMPATIBLE_PROFILE = ProviderProfile(dialect=Dialect.STANDARD, image_policy=VISION_OPENAI_COMPATIBLE,
                                            structured_output=StructuredOutput.JSON_SCHEMA)
