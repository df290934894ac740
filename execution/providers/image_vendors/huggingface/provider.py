"""HuggingFace inference (hf-inference via the router): text-to-image (FLUX.1-schnell,
FLUX.1-dev) and Florence-2 image-to-text, both under the one id `huggingface`.

Wire formats (huggingface hub-docs, tasks/text-to-image, image-to-text):
- text-to-image: `POST {base}/{model}` with `{"inputs": prompt, "parameters": {width, height,
  num_inference_steps, guidance_scale, negative_prompt, seed}}` and `Accept: image/png`
  → 200 with the raw image (its format in Content-Type).
- image-to-text: `POST {base}/{model}` with the raw image as the body → `[{"generated_text"}]`.
  There is no documented field for a Florence-2 task prompt, and image-to-text is not in
  hf-inference's current task list: the model may simply not be served (404/410).
Errors: see errors.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from execution.errors import ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_vendors.generation import (
    GeneratedImage,
    GenerationJob,
    GenerationRequest,
    PlannedRequest,
    fields_set,
)
from execution.providers.image_vendors.http import ERROR_BODY_CAP, HttpImageVendor, parse_json
from execution.providers.image_vendors.huggingface.errors import florence_status_error, hf_status_error
from execution.providers.image_vendors.huggingface.profile import FLUX_SCHNELL, MODEL_ALIASES, repo_id


class HuggingFaceImages(HttpImageVendor):
    DEFAULT_MODEL = FLUX_SCHNELL
    # `parameters.seed`: the same seed and settings give the same image.
    takes_seed = True

    def resolve_model(self, model: str) -> str:
        model = model.strip()
        if not model:
            return self.default_model
        model = MODEL_ALIASES.get(model.lower(), model)
        return repo_id(model)

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        model = self.resolve_model(model)
        parameters = fields_set(width=request.width, height=request.height, num_inference_steps=request.steps,
                                guidance_scale=request.guidance_scale, negative_prompt=request.negative_prompt,
                                seed=request.seed)
        body: dict[str, Any] = {"inputs": request.prompt}
        if parameters:
            body["parameters"] = parameters
        return PlannedRequest(self.provider_id, model, "POST", self.endpoint.url(model), body)

    async def generate(self, model: str, request: GenerationRequest,
                       job: GenerationJob | None = None) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> Image:
            response = await self.post(planned.url, json_body=planned.body, accept="image/png",
                                       cap=MAX_IMAGE_BYTES_IN, what="text-to-image",
                                       on_status=partial(hf_status_error, self.endpoint))
            if response.content_type.startswith("application/json"):
                # A 200 with JSON is an error report (some deployments answer so while loading).
                raise ProviderError(f"{self.provider_id} returned JSON instead of an image: "
                                    f"{self.vendor_message(response.body)}", retryable=False)
            return Image(response.body, response.content_type or "application/octet-stream")

        image = await self.with_retries(attempt, "text-to-image")
        return GeneratedImage(image, planned)


class FlorenceCaptioner(HttpImageVendor):
    """Florence-2 captioning through hf-inference image-to-text (may not be served); its
    endpoint's default model is FLOWEXEC_FLORENCE_MODEL."""

    def resolve_model(self, model: str) -> str:
        return repo_id(model.strip() or self.default_model)

    def url(self, model: str) -> str:
        return self.endpoint.url(self.resolve_model(model))

    async def caption(self, model: str, image: Image) -> str:
        self.require_key()
        url = self.url(model)

        async def attempt() -> str:
            response = await self.post(url, content=image.data, content_type=image.mime_type,
                                       accept="application/json", cap=ERROR_BODY_CAP, what="image-to-text",
                                       on_status=partial(florence_status_error, self.endpoint))
            text = _generated_text(parse_json(response.body))
            if text is None:
                detail = self.vendor_message(response.body)
                raise ProviderError(f"{self.provider_id} returned no caption ({detail})", retryable=False)
            return text

        return await self.with_retries(attempt, "image-to-text")


def _generated_text(parsed: object) -> str | None:
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    text = parsed.get("generated_text") if isinstance(parsed, dict) else None
    return text.strip() if isinstance(text, str) else None
