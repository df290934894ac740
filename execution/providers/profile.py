"""ProviderProfile: what a text provider's models can do, as data — so callers read the profile
instead of asking which vendor they are talking to (pydantic-ai's model profiles).

Each vendor folder states its own (`openai_compat/profile.py`, `claude/profile.py`); a catalogue
row may add the provider's default vision model.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from execution.images import ImagePolicy
from execution.prompts.vision import Dialect


@dataclass(frozen=True, slots=True)
class SamplingSupport:
    """Which model ids take sampling parameters (temperature): every id when `models` is None,
    else only ids in which one of `models` (regular expressions) is found, case ignored."""

    models: tuple[str, ...] | None = None

    def accepts(self, model: str) -> bool:
        if self.models is None:
            return True
        return any(re.search(pattern, model, re.IGNORECASE) for pattern in self.models)


class StructuredOutput(enum.Enum):
    """How a provider's models are made to answer with JSON that fits a schema
    (execution.providers.output_schema)."""

    # OpenAI-compatible `response_format: {"type": "json_schema", "json_schema": {...}}`.
    JSON_SCHEMA = "json_schema"
    # Anthropic Messages: one tool whose input_schema is the schema, forced by tool_choice; the
    # tool call's input is the reply.
    TOOL_USE = "tool_use"
    # No native support: the prompt asks for the JSON (execution.prompts.structured_output) and
    # the reply is parsed.
    INSTRUCT = "instruct"


@dataclass(frozen=True, slots=True)
class ProviderProfile:
    # How prompts about images are worded for this provider's models.
    dialect: Dialect
    # What an image must fit before it goes to one of this provider's vision models.
    image_policy: ImagePolicy
    # The model vision nodes use when they name none; "" = the provider's default model reads images.
    vision_model: str = ""
    sampling: SamplingSupport = field(default_factory=SamplingSupport)
    structured_output: StructuredOutput = StructuredOutput.INSTRUCT

    def accepts_sampling(self, model: str) -> bool:
        return self.sampling.accepts(model)
