"""Translation, in the editor's in-browser runner's wording verbatim. `language` is a full name
("French"); the translator node maps codes through LANGUAGE_NAMES first."""

from __future__ import annotations

from execution.prompts.template import PromptTemplate, RenderedPrompt

TRANSLATE = PromptTemplate(
    purpose="translate",
    temperature=0.3,
    text="""Translate the following text to {language}.
Output ONLY the translation, nothing else.
Keep under {char_limit} characters.

{text}""",
)


def translate_prompt(text: str, language: str) -> RenderedPrompt:
    return TRANSLATE.render(text=text, language=language)
