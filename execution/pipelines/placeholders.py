"""Filling a chunk's template: `{{NAME}}` (blanks inside the braces allowed) is replaced by the
value of NAME, in one pass — a value that itself contains `{{…}}` (user text) is inserted as it
is, never expanded again. A placeholder of the template with no value is an error naming it,
checked for every chunk before the first one runs.

The values a run offers (PlaceholderValues):
- INSTRUCTION, its alias INSTRUCTIONS, and CONTEXT: the config's context (the instruction text);
- TASK_INSTRUCTION: the Task instruction (execution.pipelines.instructions);
- INPUT_TEXT: the node's input; USER_INPUT: the node's `userInput`, else the input;
- PREVIOUS_OUTPUT: the previous chunk's output (for the first chunk: the input);
- the pipeline's config mappings, then the node's own `placeholders` (custom names only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from execution.errors import InvalidNodeInput

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PREVIOUS_OUTPUT = "PREVIOUS_OUTPUT"
BUILT_IN = frozenset({"INSTRUCTION", "INSTRUCTIONS", "CONTEXT", "TASK_INSTRUCTION", "INPUT_TEXT", "USER_INPUT",
                      PREVIOUS_OUTPUT})


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names a template uses, in order of first use."""
    return tuple(dict.fromkeys(PLACEHOLDER.findall(template)))


def built_in_values(*, context: str, task_instruction: str, input_text: str, user_input: str) -> dict[str, str]:
    return {"INSTRUCTION": context, "INSTRUCTIONS": context, "CONTEXT": context,
            "TASK_INSTRUCTION": task_instruction, "INPUT_TEXT": input_text, "USER_INPUT": user_input or input_text,
            PREVIOUS_OUTPUT: input_text}


def missing(template: str, names: Mapping[str, str] | frozenset[str] | set[str]) -> list[str]:
    return [name for name in placeholders(template) if name not in names]


def unknown_placeholder(name: str, chunk_id: str, index: int, count: int, known: list[str]) -> InvalidNodeInput:
    return InvalidNodeInput(
        f"chunk '{chunk_id}' (step {index + 1} of {count}) uses the placeholder {{{{{name}}}}}, which has no value: "
        f"set it in the node's 'placeholders' (known: {', '.join(sorted(known))})")


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with every placeholder replaced (all must have values: see `missing`)."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
