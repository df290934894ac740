"""Persona replacement: the people in a scene become given characters.

Two sources for the scene and two persona counts, four variants:
- text swap: an upstream node already described the scene (`upstreamDescription`), so the
  description is rewritten with the characters — no image analysis, any text model;
- vision: no description yet, so a vision model looks at the target image and writes the
  scene's prompt with the characters in it;
- single persona: "the main person" becomes the character;
- several personas: people are matched to characters by stated name or gender cues, else by
  prominence; extra people stay, extra characters are added to the scene.
Rules shared with inject-persona: only physical traits come from the character, never
clothing; traits are used exactly as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from execution.personas import Persona
from execution.prompts.template import PromptTemplate, RenderedPrompt
from execution.prompts.vision import VisionPrompt, labels

REPLACE_TEMPERATURE = 0.4
REPLACE_MAX_TOKENS = 1536
CHARACTER_BLOCK = "### {name}\n{description}"

_KEEP_RULES = """\
1. KEEP everything else exactly: setting, composition, camera, lighting, pose, action, expression, \
clothing, props and style.
2. Take ONLY physical traits from the character description (face, hair, skin, eyes, build, age) — \
never clothing or accessories.
3. Use the character's traits exactly as written; drop any trait of the original person that \
contradicts them."""

TEXT_SINGLE = PromptTemplate(
    purpose="replace",
    temperature=REPLACE_TEMPERATURE,
    max_tokens=REPLACE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer specializing in AI image generation prompts.
Rewrite the image description below so that its main person is the character described here.

## CHARACTER:
{{characters}}

## IMAGE DESCRIPTION:
{{description}}

## RULES:
{_KEEP_RULES}
4. If the description shows several people, replace only the most prominent one.
5. If it shows no person, add the character naturally into the scene.
6. Merge the traits into natural sentences; do not add a separate character section.
Output ONLY the rewritten description. Keep under {{char_limit}} characters.""",
)

TEXT_MULTI = PromptTemplate(
    purpose="replace",
    temperature=REPLACE_TEMPERATURE,
    max_tokens=REPLACE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer specializing in AI image generation prompts.
Rewrite the image description below so that its people are the characters described here.

## CHARACTERS:
{{characters}}

## IMAGE DESCRIPTION:
{{description}}

## RULES:
{_KEEP_RULES}
4. Match people to characters: first by name if the description names them, then by gender \
and age cues, then in order of prominence (largest or most central first). Use each character \
at most once.
5. People left without a character stay as they are; characters left without a person are \
added naturally into the scene.
6. Merge the traits into natural sentences; do not add a separate character section.
Output ONLY the rewritten description. Keep under {{char_limit}} characters.""",
)

VISION_SINGLE = PromptTemplate(
    purpose="replace",
    temperature=REPLACE_TEMPERATURE,
    max_tokens=REPLACE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer specializing in AI image generation prompts.
Look at the image above and write one prompt that recreates it with its main person replaced by \
the character described here.

## CHARACTER:
{{characters}}

## RULES:
{_KEEP_RULES}
4. Describe the scene in this order: subject and action, clothing, setting, composition and \
camera, lighting and color, style and medium.
5. If the image shows several people, replace only the most prominent one and describe the others \
as they are. If it shows no person, add the character naturally into the scene.
6. Describe only what is visible; no guessed names, brands or identities.
Write flowing descriptive prose in English, no lists or headings.
Output ONLY the prompt. Keep under {{char_limit}} characters.""",
)

VISION_MULTI = PromptTemplate(
    purpose="replace",
    temperature=REPLACE_TEMPERATURE,
    max_tokens=REPLACE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer specializing in AI image generation prompts.
Look at the image above and write one prompt that recreates it with its people replaced by the \
characters described here.

## CHARACTERS:
{{characters}}

## RULES:
{_KEEP_RULES}
4. Match people to characters by gender and age cues first, then in order of prominence (largest \
or most central first, then left to right). Use each character at most once.
5. People left without a character stay as they are; characters left without a person are added \
naturally into the scene.
6. Describe the scene in this order: subjects and action, clothing, setting, composition and \
camera, lighting and color, style and medium. Describe only what is visible; no guessed names, \
brands or identities.
Write flowing descriptive prose in English, no lists or headings.
Output ONLY the prompt. Keep under {{char_limit}} characters.""",
)


def characters_block(personas: Sequence[Persona]) -> str:
    return "\n\n".join(CHARACTER_BLOCK.format(name=p.name, description=p.description) for p in personas)


def text_swap_prompt(description: str, personas: Sequence[Persona]) -> RenderedPrompt:
    """Rewrite an existing description with the characters (no image)."""
    if not personas:
        raise ValueError("persona replacement needs at least one persona")
    template = TEXT_SINGLE if len(personas) == 1 else TEXT_MULTI
    return template.render(characters=characters_block(personas), description=description)


def vision_replace_prompt(personas: Sequence[Persona]) -> VisionPrompt:
    """Analyse the target image (one image, before the text) and write it with the characters."""
    if not personas:
        raise ValueError("persona replacement needs at least one persona")
    template = VISION_SINGLE if len(personas) == 1 else VISION_MULTI
    return VisionPrompt(template.render(characters=characters_block(personas)), labels("target image"))
