"""Prompt enhancement: a short prompt made rich, with or without the user's enhancement notes.
The wording is the editor's in-browser runner's, with its elided sentences completed."""

from __future__ import annotations

from execution.prompts.template import PromptTemplate, RenderedPrompt

ENHANCE_WITH_NOTES = PromptTemplate(
    purpose="enhance",
    temperature=0.7,
    text="""You are an expert prompt engineer specializing in AI image generation prompts.
Take the following prompt and enhance it according to the instructions provided.

## ORIGINAL PROMPT:
{text}

## ENHANCEMENT INSTRUCTIONS:
{notes}

Apply the enhancement instructions to improve the original prompt, keeping its subject and intent \
unless the instructions say otherwise.
Output ONLY the enhanced prompt. Keep under {char_limit} characters.""",
)

ENHANCE_WITHOUT_NOTES = PromptTemplate(
    purpose="enhance",
    temperature=0.7,
    text="""You are an expert prompt engineer specializing in AI image generation prompts.
Take this simple prompt and transform it into a detailed, rich prompt for an image generation \
model: concrete details of the subject, setting, composition, lighting, colors, mood and style, \
keeping everything the original says.

## ORIGINAL PROMPT:
{text}

Output ONLY the enhanced prompt. Keep under {char_limit} characters.""",
)


def enhance_prompt(text: str, notes: str = "") -> RenderedPrompt:
    if notes:
        return ENHANCE_WITH_NOTES.render(text=text, notes=notes)
    return ENHANCE_WITHOUT_NOTES.render(text=text)
