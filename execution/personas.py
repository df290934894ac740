"""Persona: a character as prompts use it — a name and the description of its appearance.

Nodes read personas from their adapter inputs (execution.nodes.inputs.extract_personas);
prompts write them into the text they send. Both import it from here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Persona:
    name: str
    description: str
