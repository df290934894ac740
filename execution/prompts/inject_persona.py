"""Persona injection: character appearance merged into a prompt. The wording is the editor's
in-browser runner's, verbatim; one CHARACTER block per persona, in adapter-edge order."""

from __future__ import annotations

from collections.abc import Sequence

from execution.personas import Persona
from execution.prompts.template import PromptTemplate, RenderedPrompt

CHARACTER_BLOCK = "### {name}\n{description}"

INJECT_PERSONA = PromptTemplate(
    purpose="inject-persona",
    temperature=0.4,
    text="""You are an expert prompt engineer specializing in AI image generation prompts.
Your task is to inject specific character appearance details into an existing prompt.

## CHARACTERS:
{characters}

## ORIGINAL PROMPT:
{prompt_text}

## YOUR TASK:
Rewrite the original prompt so that each named character's physical appearance
is injected where they are referenced.
Rules:
1. KEEP everything from original (scene, setting, clothing, pose, action...)
2. REPLACE/ENRICH character references with physical traits
3. Unmatched character names stay as-is
4. Generic "a woman" with single character → replace with traits
5. MERGE naturally into sentences
6. Do NOT add clothing from CHARACTER descriptions — only physical traits
7. Use traits exactly as described
8. If no character reference, add characters naturally into the scene
Output ONLY the rewritten prompt. Keep under {char_limit} characters.""",
)


def inject_persona_prompt(prompt_text: str, personas: Sequence[Persona]) -> RenderedPrompt:
    characters = "\n\n".join(CHARACTER_BLOCK.format(name=p.name, description=p.description) for p in personas)
    return INJECT_PERSONA.render(characters=characters, prompt_text=prompt_text)
