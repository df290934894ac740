"""Structured output wording: the instruction a provider without native JSON-schema support
gets with its prompt (StructuredOutput.INSTRUCT), and the message that sends a reply that did
not fit back to the model for another attempt (every provider)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

INSTRUCTION = """Answer with a single JSON object that validates against this JSON Schema, and nothing else \
(no Markdown, no comments):
{schema}"""

RETRY = """Your reply does not fit the required JSON Schema: {violation}
Answer again with the corrected JSON object only."""


def schema_instruction(schema: Mapping[str, Any]) -> str:
    return INSTRUCTION.format(schema=json.dumps(schema, ensure_ascii=False, sort_keys=True))


def retry_message(violation: str) -> str:
    return RETRY.format(violation=violation)
