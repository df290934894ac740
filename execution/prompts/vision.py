"""VisionPrompt: a prompt about images — the images in the order the text refers to them,
an optional system text, and the rendered instruction that follows the images.

Images come before the instruction (Anthropic's guidance, and what vision chat models are
trained on). With more than one image each gets a short label so the text can say
"Image 1" / "Image 2" unambiguously; a single image needs none.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from execution.prompts.template import RenderedPrompt


class Dialect(enum.Enum):
    """Prompt wording per model family: OpenAI-compatible vision models, or Claude."""

    STANDARD = "standard"
    CLAUDE = "claude"


@dataclass(frozen=True, slots=True)
class VisionPrompt:
    prompt: RenderedPrompt
    # One label per image, in order; empty labels when there is only one image.
    image_labels: tuple[str, ...]
    system: str = ""

    @property
    def purpose(self) -> str:
        return self.prompt.purpose


def labels(*names: str) -> tuple[str, ...]:
    """"Image 1 — {name}:" labels for several images; one image gets an empty label."""
    if len(names) == 1:
        return ("",)
    return tuple(f"Image {i} — {name}:" for i, name in enumerate(names, start=1))
