"""Helpers executors share to read their upstream inputs: merged text and adapter personas."""

from __future__ import annotations

from collections.abc import Iterable

from execution.outputs import NodeOutput
from execution.personas import Persona

INPUT_SEPARATOR = "\n\n"


def input_text(output: NodeOutput) -> str:
    """The text an output contributes downstream: the first set of text, replace_prompt,
    injected_prompt, persona_description (one per input, so a character's description is
    not repeated through both `text` and `persona_description`)."""
    return output.text or output.replace_prompt or output.injected_prompt or output.persona_description


def merge_input_text(inputs: Iterable[NodeOutput]) -> str:
    """Upstream texts, in edge order, joined by a blank line; empty inputs are left out."""
    return INPUT_SEPARATOR.join(t for t in (input_text(o) for o in inputs) if t)


def extract_personas(adapter_inputs: Iterable[NodeOutput]) -> list[Persona]:
    """Adapter inputs that carry a persona description, as (name, description)."""
    return [
        Persona(name=o.persona_name or "Character", description=o.persona_description)
        for o in adapter_inputs
        if o.persona_description
    ]
