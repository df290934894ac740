"""ComfyUI as an imageGenerator vendor (`comfyui`), and the runner output chunks use.

`generate` fills the default text-to-image workflow (profile.DEFAULT_CHUNK) from the node's
settings and runs it (runner.py); `run_chunk` runs any output chunk with the values given —
the comfyuiWorkflow node and seed 002's pipelines call it. No key: ComfyUI is reached at
COMFYUI_BASE_URL, and a node using it without one fails NOT_CONFIGURED naming the variable.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from execution.errors import ProviderError
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.comfyui.chunk import OutputChunk
from execution.providers.image_vendors.comfyui.profile import (
    DEFAULT_CHECKPOINT,
    DEFAULT_CHUNK,
    REQUEST_MAPPINGS,
    checkpoint,
    node_titles,
)
from execution.providers.image_vendors.comfyui.runner import ComfyResult, ComfyRunner
from execution.providers.image_vendors.generation import (
    GeneratedImage,
    GenerationJob,
    GenerationRequest,
    PlannedRequest,
)
from execution.providers.image_vendors.http import HttpImageVendor, SharedClient
from execution.providers.resilience import CallPolicy, ConcurrencyLimits

if TYPE_CHECKING:
    from execution.providers.image_vendors.image_settings import ImageProviderSettings

MAX_SEED = 2**32 - 1


class ComfyUiImages(HttpImageVendor):
    DEFAULT_MODEL = DEFAULT_CHECKPOINT
    # The workflow's KSampler takes the seed: the same seed and settings make the same image.
    takes_seed = True

    def __init__(self, endpoint: Endpoint, client: SharedClient, policy: CallPolicy, limits: ConcurrencyLimits,
                 settings: ImageProviderSettings | None = None) -> None:
        super().__init__(endpoint, client, policy, limits, settings)
        poll = settings.comfyui_poll_seconds if settings is not None else 2.0
        self.runner = ComfyRunner(endpoint, client, policy, limits, poll_seconds=poll)

    def resolve_model(self, model: str) -> str:
        return checkpoint(model, self.default_model)

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        return self.plan_chunk(DEFAULT_CHUNK, self._values(self.resolve_model(model), request),
                               model=self.resolve_model(model))

    def plan_chunk(self, chunk: OutputChunk, values: Mapping[str, Any], *, model: str = "") -> PlannedRequest:
        """The workflow a chunk with these values sends (InvalidNodeInput for a bad value); pure."""
        workflow = chunk.fill(values)
        url = self.endpoint.url("prompt") if self.endpoint.base_url else f"<{self.endpoint.base_url_env} unset>/prompt"
        return PlannedRequest(self.provider_id, model or chunk.name, "POST", url, {"prompt": workflow})

    async def generate(self, model: str, request: GenerationRequest,
                       job: GenerationJob | None = None) -> GeneratedImage:
        if request.seed is None:  # the workflow needs one; an unseeded request is a new image each time
            request = replace(request, seed=random.randint(1, MAX_SEED))
        planned = self.plan(model, request)
        result = await self.runner.run(planned.body["prompt"], DEFAULT_CHUNK.output, job or _one_off(),
                                       node_titles(planned.body["prompt"]))
        return GeneratedImage(result.files[0], planned)

    async def run_chunk(self, chunk: OutputChunk, values: Mapping[str, Any], job: GenerationJob) -> ComfyResult:
        """Run an output chunk with `values` (its mappings checked first) for `job`."""
        workflow = chunk.fill(values)
        result = await self.runner.run(workflow, chunk.output, job, node_titles(workflow))
        if not result.files:
            raise ProviderError(f"ComfyUI returned no files for chunk '{chunk.name}'", retryable=False)
        return result

    async def aclose(self) -> None:
        await self.runner.aclose()

    @staticmethod
    def _values(model: str, request: GenerationRequest) -> dict[str, Any]:
        values: dict[str, Any] = {"prompt": request.prompt, "checkpoint": model}
        for field, mapping in REQUEST_MAPPINGS.items():
            value = getattr(request, field)
            if value is not None and value != "":
                values[mapping] = value
        return values


def _one_off() -> GenerationJob:
    """A job for a call that names none: a fresh id, so nothing is mistaken for a resubmission."""
    return GenerationJob(run_id=uuid.uuid4().hex, node_id="")

