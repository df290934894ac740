"""The interface every text-to-image vendor implements, and the request it receives.

A vendor takes one GenerationRequest (our settings, vendor-neutral) and maps it onto its
own documented body: not every vendor has every knob (Fireworks has an aspect ratio, not
width/height; GLM has neither steps, seed nor negative prompt). `plan` says exactly what
would be sent — body, URL, and which settings the vendor cannot take — without sending
it; dry runs show it and `generate` sends it.

A GenerationJob says which execution asks: a backend that queues work on its side (ComfyUI)
names its submission after it, so that sending the same job twice runs it once, and reports
its progress through it. Vendors that answer in one HTTP call ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from execution.outputs import Image


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    prompt: str
    width: int | None = None
    height: int | None = None
    steps: int | None = None
    seed: int | None = None
    negative_prompt: str = ""
    guidance_scale: float | None = None


def fields_set(**values: Any) -> dict[str, Any]:
    """The body fields among `values` that are set (None and "" are not), in the order given."""
    return {name: value for name, value in values.items() if value is not None and value != ""}


# value, max (0 = unknown), label, step — NodeContext.emit_progress's arguments.
ProgressSink = Callable[[int, int, str, str], None]


@dataclass(frozen=True, slots=True)
class GenerationJob:
    """One execution of one node (of one of its steps, when it generates several times)."""

    run_id: str
    node_id: str
    # The node's attempt in its run (NodeContext.attempt).
    attempt: int = 1
    # A sub-step of the node, when one execution submits several jobs (a pipeline's chunks).
    step: str = ""
    on_progress: ProgressSink | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """Names the job: equal for a resubmission of the same execution, different otherwise."""
        return "\x1f".join((self.run_id, self.node_id, str(self.attempt), self.step))

    def progress(self, value: int, total: int, label: str = "", step: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(value, total, label, step)


@dataclass(frozen=True, slots=True)
class PlannedRequest:
    """A vendor request as it would go out (the API key is never part of it)."""

    provider_id: str
    model: str
    method: str
    url: str
    body: Mapping[str, Any]
    # Settings the vendor has no field for, and what became of the ones it adapts.
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    image: Image
    planned: PlannedRequest


class ImageGenerationProvider(Protocol):
    @property
    def provider_id(self) -> str:
        """The vendor's one id (vendor_table), recorded in ProviderCalls and error messages."""
        ...

    @property
    def default_model(self) -> str:
        """Model used when the node names none (or names a text model of another vendor)."""
        ...

    @property
    def takes_seed(self) -> bool:
        """Whether the request carries a seed (so a seed and the same settings give the same image)."""
        ...

    def resolve_model(self, model: str) -> str:
        """The vendor's model id for `model` (aliases accepted); raises InvalidNodeInput."""
        ...

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        """What `generate` would send; pure."""
        ...

    async def generate(self, model: str, request: GenerationRequest,
                       job: GenerationJob | None = None) -> GeneratedImage:
        """Generate one image: encoded bytes as the vendor returned them (not yet normalised).
        `job` names the execution asking (idempotent submission, progress); None: a new one."""
        ...
