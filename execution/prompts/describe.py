"""Image description: a vision model turns an image into words.

Three variants by which images are given — a reference scene only, a character (persona)
image only, or both — each in a standard wording (OpenAI-compatible vision models: pixtral,
Qwen2.5-VL, glm-4.6v) and a Claude wording (role in the system prompt, XML-tagged sections,
no shouting; Claude follows structure better than emphasis). Florence-2 is not chat based
and takes no instruction at all.

- reference only → a text-to-image prompt that would recreate the scene;
- persona only → a reusable description of the character's permanent physical traits
  (what consistentCharacter holds: no clothing, pose or background);
- both → the reference scene with its main person drawn as the character.
The user's notes, when set, are added as extra instructions.
"""

from __future__ import annotations

import enum

from execution.prompts.template import PromptTemplate
from execution.prompts.vision import Dialect, VisionPrompt, labels

DESCRIBE_TEMPERATURE = 0.3
DESCRIBE_MAX_TOKENS = 1024


class DescribeMode(enum.Enum):
    REFERENCE = "reference"
    PERSONA = "persona"
    REFERENCE_AND_PERSONA = "reference_and_persona"


_SCENE_CHECKLIST = """\
1. Subjects: who or what is shown; for people their apparent age, build, skin tone, face, hair, \
expression, pose and action.
2. Clothing and accessories: garments, colors, materials, fit.
3. Setting: location, background elements, props.
4. Composition and camera: framing, shot distance, camera angle, lens feel, depth of field.
5. Lighting and color: light sources, direction and quality, time of day, palette.
6. Style and medium: photograph, illustration, painting, 3D render…; texture, film look, level of detail."""

_TRAITS_CHECKLIST = """\
apparent age range, gender presentation, skin tone, face shape, eyes (shape and color), eyebrows, \
nose, lips, hair (color, length, texture, style), facial hair, build and height impression, and \
permanent distinguishing marks (freckles, scars, tattoos, glasses if they look always worn)"""

# -- standard (OpenAI-compatible vision models) -------------------------------------------

REFERENCE_STANDARD = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer for AI image generation models (FLUX, SDXL).
Describe the image above as one prompt that an image generation model could use to recreate it.

Cover, in this order:
{_SCENE_CHECKLIST}

Rules:
- Describe only what is visible. Do not guess names, brands or identities.
- Use concrete visual nouns and adjectives; no opinions such as "beautiful" or "stunning".
- Write flowing descriptive prose in English: no lists, no headings, no preamble.{{notes}}
Output ONLY the prompt. Keep under {{char_limit}} characters.""",
)

PERSONA_STANDARD = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer for AI image generation models.
The image above shows a character. Write a description of the character's permanent physical \
appearance that can be reused in other image prompts, so the same person can be drawn again in \
any scene.

Include: {_TRAITS_CHECKLIST}.
Leave out everything that changes from scene to scene: clothing, accessories, pose, expression, \
background, lighting, camera and art style.

Rules:
- If several people are shown, describe the most prominent one.
- Describe only what is visible; do not guess a name or identity.
- One paragraph, third person, present tense, starting with "A" or "An".{{notes}}
Output ONLY the description. Keep under 1000 characters.""",
)

BOTH_STANDARD = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""You are an expert prompt engineer for AI image generation models (FLUX, SDXL).
Image 1 is a REFERENCE scene. Image 2 shows a CHARACTER.
Write one prompt that recreates the reference scene with its main person drawn as the character.

From Image 1 keep, in this order:
{_SCENE_CHECKLIST}

From Image 2 take only the character's physical traits: {_TRAITS_CHECKLIST}. Use them in place of \
the main person's own traits. Keep the clothing, pose and action of Image 1; do not take clothing, \
background or style from Image 2. If Image 1 shows no person, place the character naturally in the \
scene.

Rules:
- Describe only what is visible. Do not guess names, brands or identities.
- Write flowing descriptive prose in English: no lists, no headings, no preamble, and do not \
mention "Image 1" or "Image 2".{{notes}}
Output ONLY the prompt. Keep under {{char_limit}} characters.""",
)

# -- Claude ---------------------------------------------------------------------------------

CLAUDE_SYSTEM = (
    "You write prompts for AI image generation models such as FLUX and SDXL. You describe images "
    "precisely and only from what is visible, in concrete visual language, and you answer with the "
    "requested text alone — no introduction, no commentary, no markdown."
)

REFERENCE_CLAUDE = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""<task>
Describe this image as a single prompt that an image generation model could use to recreate it.
</task>

<coverage>
{_SCENE_CHECKLIST}
</coverage>

<style>
Flowing descriptive prose in English, in the order above. Concrete nouns and adjectives rather \
than opinions. No names, brands or identities that are not written in the image.
</style>{{notes}}

Answer with the prompt only, under {{char_limit}} characters.""",
)

PERSONA_CLAUDE = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""<task>
This image shows a character. Describe the character's permanent physical appearance so the same \
person can be drawn again in other scenes.
</task>

<include>
{_TRAITS_CHECKLIST}
</include>

<exclude>
Clothing, accessories, pose, expression, background, lighting, camera and art style: they change \
from scene to scene. If several people are shown, describe the most prominent one.
</exclude>

<style>
One paragraph, third person, present tense, beginning with "A" or "An". No guessed name or identity.
</style>{{notes}}

Answer with the description only, under 1000 characters.""",
)

BOTH_CLAUDE = PromptTemplate(
    purpose="describe",
    temperature=DESCRIBE_TEMPERATURE,
    max_tokens=DESCRIBE_MAX_TOKENS,
    text=f"""<task>
Image 1 is a reference scene and Image 2 shows a character. Write a single image generation \
prompt that recreates the reference scene with its main person drawn as the character.
</task>

<from_image_1>
{_SCENE_CHECKLIST}
Keep the clothing, pose and action of the reference.
</from_image_1>

<from_image_2>
Only the character's physical traits — {_TRAITS_CHECKLIST} — used in place of the main person's \
own. Nothing else from Image 2: not its clothing, background or style. If Image 1 shows no \
person, place the character naturally in the scene.
</from_image_2>

<style>
Flowing descriptive prose in English. Do not mention "Image 1" or "Image 2".
</style>{{notes}}

Answer with the prompt only, under {{char_limit}} characters.""",
)

_TEMPLATES = {
    (DescribeMode.REFERENCE, Dialect.STANDARD): REFERENCE_STANDARD,
    (DescribeMode.PERSONA, Dialect.STANDARD): PERSONA_STANDARD,
    (DescribeMode.REFERENCE_AND_PERSONA, Dialect.STANDARD): BOTH_STANDARD,
    (DescribeMode.REFERENCE, Dialect.CLAUDE): REFERENCE_CLAUDE,
    (DescribeMode.PERSONA, Dialect.CLAUDE): PERSONA_CLAUDE,
    (DescribeMode.REFERENCE_AND_PERSONA, Dialect.CLAUDE): BOTH_CLAUDE,
}

_IMAGE_NAMES = {
    DescribeMode.REFERENCE: ("reference scene",),
    DescribeMode.PERSONA: ("character",),
    DescribeMode.REFERENCE_AND_PERSONA: ("reference scene", "character"),
}


def _notes_block(notes: str, dialect: Dialect) -> str:
    if not notes:
        return ""
    if dialect is Dialect.CLAUDE:
        return f"\n\n<user_notes>\nAlso follow these instructions from the user:\n{notes}\n</user_notes>"
    return f"\n- Also follow these instructions from the user: {notes}"


def describe_prompt(mode: DescribeMode, dialect: Dialect, notes: str = "") -> VisionPrompt:
    """The prompt for `mode`; images go in the order of `VisionPrompt.image_labels`."""
    template = _TEMPLATES[(mode, dialect)]
    rendered = template.render(notes=_notes_block(notes.strip(), dialect))
    return VisionPrompt(rendered, labels(*_IMAGE_NAMES[mode]),
                        system=CLAUDE_SYSTEM if dialect is Dialect.CLAUDE else "")
