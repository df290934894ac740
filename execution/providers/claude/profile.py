"""What Claude models can do: Claude's prompt dialect and image policy (base64 image blocks),
structured output by forced tool use, and which model ids still take a temperature, on which
API version (Claude direct and on Bedrock alike).

Sampling parameters (temperature, top_p, top_k): API version 2026-10-21, the `anthropic` SDK
2.x default (its request types no longer have them), refuses each of them at any value on any
model (400 "temperature: Extra inputs are not permitted"). API version 2023-06-01 still takes
`temperature` on models up to Claude 4.6; models from 4.7 on (Opus 4.7, 4.8, 5, 5.5; Sonnet 5,
5.5; Haiku 5.5) refuse it on any version (400 "`temperature` is deprecated for this model.").
So a temperature goes only to a model matched below, on SAMPLING_API_VERSION; an id matched by
nothing (newer, unknown, or Claude 2) gets none: a temperature lost is cheaper than a 400 on
every call.
"""

from __future__ import annotations

from execution.images import VISION_CLAUDE
from execution.prompts.vision import Dialect
from execution.providers.profile import ProviderProfile, SamplingSupport, StructuredOutput

# The API version a request carrying a temperature is sent with.
SAMPLING_API_VERSION = "2023-06-01"

# Where a model id may end: bare, or a date, an "@date" (Vertex), a "-v1:0" (Bedrock), "-latest".
_END = r"(?=$|[@:]|-(?:\d{8}|v\d+|latest)\b)"
# A model id may start after a Bedrock/Vertex-style prefix ("anthropic.", "us.anthropic.", ".../").
_START = r"(?:^|[./])"
# Model ids that take a temperature on SAMPLING_API_VERSION, e.g. claude-3-5-haiku-20241022,
# claude-opus-4-20250514, claude-sonnet-4-6, claude-opus-4-1@20250805, anthropic.claude-sonnet-4-6-v1:0.
TEMPERATURE_MODELS: tuple[str, ...] = (
    rf"{_START}claude-3(?:-[57])?-(?:opus|sonnet|haiku){_END}",      # Claude 3, 3.5, 3.7
    rf"{_START}claude-(?:opus|sonnet|haiku)-4(?:[-.][0-6])?{_END}",  # Claude 4 to 4.6
)

CLAUDE_PROFILE = ProviderProfile(dialect=Dialect.CLAUDE, image_policy=VISION_CLAUDE,
                                 sampling=SamplingSupport(TEMPERATURE_MODELS),
                                 structured_output=StructuredOutput.TOOL_USE)
