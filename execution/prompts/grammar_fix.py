"""Grammar correction, in the editor's in-browser runner's wording verbatim; the optional style
line is a second template. Low temperature: a proofreader should not improvise."""

from __future__ import annotations

from execution.prompts.template import PromptTemplate, RenderedPrompt

GRAMMAR_FIX = PromptTemplate(
    purpose="grammar-fix",
    temperature=0.2,
    text="""You are a proofreader. Fix all grammar, spelling, and punctuation errors.
Output ONLY the corrected text. Preserve original structure and length.

{text}""",
)

GRAMMAR_FIX_WITH_STYLE = PromptTemplate(
    purpose="grammar-fix",
    temperature=0.2,
    text="""You are a proofreader. Fix all grammar, spelling, and punctuation errors.
After fixing, lightly adjust tone to be more {style}.
Output ONLY the corrected text. Preserve original structure and length.

{text}""",
)


def grammar_fix_prompt(text: str, style: str = "") -> RenderedPrompt:
    if style:
        return GRAMMAR_FIX_WITH_STYLE.render(text=text, style=style)
    return GRAMMAR_FIX.render(text=text)
