"""Fireworks FLUX (Black Forest Labs FLUX.1 schnell / dev, FP8) text-to-image.

Wire format (docs.fireworks.ai, "Generate an image with FLUX.1 [schnell] FP8"):
`POST {base}/workflows/accounts/fireworks/models/{model}/text_to_image` with
`{prompt, aspect_ratio, guidance_scale, num_inference_steps, seed}`. `Accept: image/png` →
the PNG itself, with a `Finish-Reason` header; `Accept: application/json` → `{"id",
"base64": [...], "finishReason": "SUCCESS" | "CONTENT_FILTERED", "seed"}` (both are
handled). What it takes: profile.py; errors: errors.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from execution.data_urls import base64_payload
from execution.errors import ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_vendors.fireworks.errors import content_filtered, fireworks_status_error
from execution.providers.image_vendors.fireworks.profile import FLUX_SCHNELL, fireworks_model, nearest_aspect_ratio
from execution.providers.image_vendors.generation import (
    GeneratedImage,
    GenerationJob,
    GenerationRequest,
    PlannedRequest,
    fields_set,
)
from execution.providers.image_vendors.http import HttpImageVendor, parse_json


class FireworksImages(HttpImageVendor):
    DEFAULT_MODEL = FLUX_SCHNELL
    # `seed` (0 means random, so only a set seed is sent).
    takes_seed = True

    def resolve_model(self, model: str) -> str:
        return fireworks_model(model, self.default_model)

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        model = self.resolve_model(model)
        body: dict[str, Any] = {"prompt": request.prompt}
        notes: list[str] = []
        if request.width is not None or request.height is not None:
            width = request.width or request.height or 1
            height = request.height or request.width or 1
            body["aspect_ratio"] = nearest_aspect_ratio(width, height)
            notes.append(f"size {width}x{height} sent as aspect ratio {body['aspect_ratio']} "
                         "(Fireworks FLUX takes no width/height)")
        body |= fields_set(guidance_scale=request.guidance_scale, num_inference_steps=request.steps, seed=request.seed)
        if request.negative_prompt:
            notes.append("negative prompt ignored: Fireworks FLUX has no such parameter")
        url = self.endpoint.url(f"workflows/accounts/fireworks/models/{model}/text_to_image")
        return PlannedRequest(self.provider_id, model, "POST", url, body, tuple(notes))

    async def generate(self, model: str, request: GenerationRequest,
                       job: GenerationJob | None = None) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> Image:
            response = await self.post(planned.url, json_body=planned.body, accept="image/png",
                                       cap=2 * MAX_IMAGE_BYTES_IN, what="text-to-image",
                                       on_status=partial(fireworks_status_error, self.endpoint))
            if response.headers.get("Finish-Reason", "").upper() == "CONTENT_FILTERED":
                raise content_filtered(self.endpoint)
            if response.content_type.startswith("application/json"):
                return self._from_json(response.body)
            return Image(response.body, response.content_type or "application/octet-stream")

        image = await self.with_retries(attempt, "text-to-image")
        return GeneratedImage(image, planned)

    def _from_json(self, body: bytes) -> Image:
        name = self.provider_id
        parsed = parse_json(body)
        if not isinstance(parsed, dict):
            raise ProviderError(f"{name} returned a response that is neither an image nor JSON", retryable=False)
        if str(parsed.get("finishReason", "")).upper() == "CONTENT_FILTERED":
            raise content_filtered(self.endpoint)
        images = parsed.get("base64")
        first = images[0] if isinstance(images, list) and images else None
        if not isinstance(first, str) or not first:
            raise ProviderError(f"{name} returned no image", retryable=False)
        try:
            return Image(base64_payload(first), "image/png")
        except ValueError:
            raise ProviderError(f"{name} returned image data that is not base64", retryable=False) from None
