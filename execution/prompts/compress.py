"""Text compression, in the editor's in-browser runner's wording verbatim. Texts shorter than
COMPRESS_THRESHOLD are not sent at all (the compressor node passes them through)."""

from __future__ import annotations

from execution.prompts.template import CHAR_LIMIT, PromptTemplate, RenderedPrompt

COMPRESS_THRESHOLD = CHAR_LIMIT

COMPRESS = PromptTemplate(
    purpose="compress",
    temperature=0.3,
    text="""Compress the following text to be shorter while preserving ALL information.
Output ONLY the compressed text.

{text}""",
)


def compress_prompt(text: str) -> RenderedPrompt:
    return COMPRESS.render(text=text)
