"""The pipeline library's records: Config, Pipeline, Chunk, as loaded from their JSON files
(already checked against execution.pipelines.schemas), and ResolvedPipeline, what one config
runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from execution.providers.image_vendors.comfyui.chunk import OutputChunk

# A chunk whose backend renders media from a workflow instead of calling an LLM.
COMFYUI_BACKEND = "comfyui"


@dataclass(frozen=True, slots=True)
class Parameters:
    """Sampling parameters of an LLM chunk; None = not set here."""

    temperature: float | None = None
    max_tokens: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Parameters:
        return cls(data.get("temperature"), data.get("max_tokens"))

    def over(self, base: Parameters) -> Parameters:
        """These parameters, the unset ones taken from `base`."""
        return Parameters(self.temperature if self.temperature is not None else base.temperature,
                          self.max_tokens if self.max_tokens is not None else base.max_tokens)


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str
    backend_type: str
    # LLM chunks: the prompt with {{PLACEHOLDERS}}; output chunks: "".
    template: str = ""
    # A model id of the backend's provider, `task:NAME`, or "" (the provider's default model).
    model: str = ""
    parameters: Parameters = field(default_factory=Parameters)
    description: str = ""
    # The file as loaded: an output chunk's workflow and mappings are read from it.
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_output(self) -> bool:
        return self.backend_type == COMFYUI_BACKEND

    def output_chunk(self) -> OutputChunk:
        """An output chunk as ComfyUI runs it; InvalidNodeInput naming a mapping that points at a
        node or input its workflow does not have (also checked when the library loads)."""
        return OutputChunk.parse({**self.data, "name": self.chunk_id}, what=f"chunk '{self.chunk_id}'")


@dataclass(frozen=True, slots=True)
class Pipeline:
    pipeline_id: str
    chunks: tuple[str, ...]
    instruction_type: str | None = None
    # Placeholder name → a dotted path into the config (`meta.style`): the value it fills in.
    config_mappings: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class Config:
    config_id: str
    pipeline: str
    # Language code → text; at least one entry.
    name: Mapping[str, str]
    description: Mapping[str, str]
    # The instruction text (the Context of the 3-part prompt; {{INSTRUCTION}}).
    context: str
    parameters: Parameters = field(default_factory=Parameters)
    # Overrides the pipeline's instruction type.
    instruction_type: str | None = None
    # Overrides any instruction type with this text.
    task_instruction: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def localized_name(self, language: str = "en") -> str:
        return self.name.get(language) or self.name.get("en") or next(iter(self.name.values()))


@dataclass(frozen=True, slots=True)
class ResolvedPipeline:
    """A config with its pipeline and chunks, the Task instruction chosen and the placeholders
    its config mappings fill — everything a run of it reads from the library."""

    config: Config
    pipeline: Pipeline
    chunks: tuple[Chunk, ...]
    task_instruction: str
    mapped: Mapping[str, str]
    # sha256 of the three kinds of files as loaded: part of a pipeline node's cache key.
    digest: str
