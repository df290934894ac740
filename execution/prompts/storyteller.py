"""Creative narrative: the editor's in-browser runner's rules verbatim, at its temperature 0.95
(high on purpose: the same concept must give a different story each time).
Style tags are optional: a second template carries the STYLE TAGS line."""

from __future__ import annotations

from execution.prompts.template import PromptTemplate, RenderedPrompt

STORYTELLER_TEMPERATURE = 0.95

_BODY = """You are a wildly creative storyteller and wordsmith. Turn the concept below into a short, \
original piece of writing.
RULES:
- Every time you receive the same concept, create DIFFERENT interpretation
- Be bold and surprising. Subvert expectations
- Focus on words, emotions, atmosphere, character — NOT visual descriptions
- Use rich literary language: metaphors, rhythm, sensory details
- Format as clean markdown (## headings, paragraphs, *italics*, no **bold**)
- Output ONLY the story. Keep under {char_limit} characters

CONCEPT: {text}"""

STORYTELLER = PromptTemplate(purpose="storyteller", temperature=STORYTELLER_TEMPERATURE, text=_BODY)

STORYTELLER_WITH_TAGS = PromptTemplate(
    purpose="storyteller", temperature=STORYTELLER_TEMPERATURE, text=_BODY + "\nSTYLE TAGS: {tags}",
)


def storyteller_prompt(text: str, tags: str = "") -> RenderedPrompt:
    if tags:
        return STORYTELLER_WITH_TAGS.render(text=text, tags=tags)
    return STORYTELLER.render(text=text)
