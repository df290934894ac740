"""Image generation (seed §6 "generate-image"): a pure passthrough — the prompt is sent as is.

What this module owns is the other half of the request: the node's settings (`width`,
`height`, `steps`, `seed`, `negativePrompt`, `guidanceScale`) read and checked into a
GenerationRequest. Struct numbers arrive as floats, and editors send numeric strings too;
both are accepted when they are whole numbers in range. A seed of -1 means "random" (not sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.errors import InvalidNodeInput
from execution.providers.image_generation import GenerationRequest

MIN_SIDE, MAX_SIDE = 64, 4096
MAX_STEPS = 150
MAX_SEED = 2**32 - 1
MAX_GUIDANCE = 50.0
MAX_PROMPT_CHARS = 20_000


def generation_request(prompt: str, data: Mapping[str, Any]) -> GenerationRequest:
    prompt = prompt.strip()
    if not prompt:
        raise InvalidNodeInput("No prompt: connect a text node or set a prompt on the node")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise InvalidNodeInput(f"The prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT_CHARS:,}")
    seed = _whole(data, "seed", -1, MAX_SEED)
    negative = data.get("negativePrompt", data.get("negative_prompt", ""))
    if not isinstance(negative, str):
        raise InvalidNodeInput("'negativePrompt' must be text")
    return GenerationRequest(
        prompt=prompt,
        width=_whole(data, "width", MIN_SIDE, MAX_SIDE),
        height=_whole(data, "height", MIN_SIDE, MAX_SIDE),
        steps=_whole(data, "steps", 1, MAX_STEPS),
        seed=None if seed == -1 else seed,
        negative_prompt=negative.strip(),
        guidance_scale=_number(data, "guidanceScale", 0.0, MAX_GUIDANCE),
    )


def _raw(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidNodeInput(f"'{key}' must be a number")
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise InvalidNodeInput(f"'{key}' must be a number, not {value!r}") from None
    if isinstance(value, (int, float)):
        return float(value)
    raise InvalidNodeInput(f"'{key}' must be a number")


def _whole(data: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = _raw(data, key)
    if value is None:
        return None
    if not value.is_integer() or not low <= value <= high:
        raise InvalidNodeInput(f"'{key}' must be a whole number from {low} to {high}, not {value:g}")
    return int(value)


def _number(data: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = _raw(data, key)
    if value is None:
        return None
    if not low <= value <= high:
        raise InvalidNodeInput(f"'{key}' must be from {low:g} to {high:g}, not {value:g}")
    return value
