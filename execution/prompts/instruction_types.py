"""Instruction types (seed 002): the *Task* part of the 3-part prompt of the `manipulate` chunk
(Task / Context / Prompt, after the ComfyUI `ai4artsed_prompt_interception` node) — how to
transform the input, while the config's context says through which artistic or cultural lens.

The texts are the seed's verbatim. Which one a pipeline run uses: execution.pipelines.instructions.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_INSTRUCTION_TYPE = "artistic_transformation"


@dataclass(frozen=True, slots=True)
class InstructionType:
    description: str
    text: str


INSTRUCTION_TYPES: dict[str, InstructionType] = {
    "artistic_transformation": InstructionType(
        description="Transform prompt through artistic/cultural lens (Prompt Interception)",
        text="""Transform the input_prompt into a description according to the instructions
defined in the input_context. Explicitely communicate the input_context as cultural cf. artistic
cf. intervening context. Also communicate genres/artistic traditions in a concrete way (i.e. is
it a dance, a photo, a painting, a song, a movie, a statue/sculpture? how should it be translated
into media?)

This is not a linguistic translation, but an aesthetic, semantic and structural transformation.
Be verbose!

Reconstruct all entities and their relations as specified, ensuring that:
- Each entity is retained – or respectively transformed – as instructed.
- Each relation is altered in line with the particular aesthetics, genre-typical traits, and logic
  of the "Context". Be explicit about visual aesthetics in terms of materials, techniques, composition,
  and overall atmosphere. Mention the input_context als cultural, cf. artistic, c.f intervening context
  in your OUTPUT explicitely.

Output only the transformed description as plain descriptive text. Be aware if the output is something
depicted (like a ritual or any situation) OR itself a cultural artefact (such as a specific drawing
technique). Describe accordingly. In your output, communicate which elements are most important for an
succeeding media generation.

DO NOT USE ANY META-TERMS, NO HEADERS, STRUCTURAL MARKERS WHATSOEVER. DO NOT EXPLAIN YOUR REASONING.
JUST PUT OUT THE TRANSFORMED DESCRIPTIVE TEXT.""",
    ),
    "passthrough": InstructionType(
        description="No transformation - direct pass-through (for testing/debugging)",
        text="""Output the input_prompt exactly as provided, with no modification or transformation.""",
    ),
}
