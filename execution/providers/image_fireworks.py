"""Fireworks FLUX (Black Forest Labs FLUX.1 schnell / dev, FP8) text-to-image.

Wire format (docs.fireworks.ai, "Generate an image with FLUX.1 [schnell] FP8"):
`POST {base}/workflows/accounts/fireworks/models/{model}/text_to_image` with
`{prompt, aspect_ratio, guidance_scale, num_inference_steps, seed}` — an aspect ratio from
a fixed list, never width/height. `Accept: image/png` → the PNG itself, with a
`Finish-Reason` header; `Accept: application/json` → `{"id", "base64": [...],
"finishReason": "SUCCESS" | "CONTENT_FILTERED", "seed"}` (both are handled). No negative
prompt. Seed 0 means random, so a seed is sent only when set.

Error boundary (vendor_errors.status_error rules):
    401                     NotConfiguredError
    403, other 4xx          not retried
    CONTENT_FILTERED        not retried
    429                     retried, Retry-After honoured
    5xx, 408                retried
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Any

import httpx

from execution.errors import InvalidNodeInput, NodeError, ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_generation import GeneratedImage, GenerationRequest, PlannedRequest
from execution.providers.image_http import HttpImageVendor, parse_json
from execution.providers.vendor_errors import parse_retry_after, status_error

DEFAULT_BASE_URL = "https://api.fireworks.ai/inference/v1"
FLUX_SCHNELL = "flux-1-schnell-fp8"
FLUX_DEV = "flux-1-dev-fp8"
MODEL_ALIASES = {
    "flux.1-schnell": FLUX_SCHNELL, "flux-1-schnell": FLUX_SCHNELL, "flux-schnell": FLUX_SCHNELL,
    "black-forest-labs/flux.1-schnell": FLUX_SCHNELL,
    "flux.1-dev": FLUX_DEV, "flux-1-dev": FLUX_DEV, "flux-dev": FLUX_DEV,
    "black-forest-labs/flux.1-dev": FLUX_DEV,
}
ASPECT_RATIOS = ("1:1", "21:9", "16:9", "3:2", "5:4", "4:5", "2:3", "9:16", "9:21", "4:3", "3:4")
_MODEL_ID = re.compile(r"^[\w.-]+$")


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The documented ratio closest to width:height (compared on a log scale)."""
    target = math.log(width / height)

    def distance(ratio: str) -> float:
        w, h = (int(p) for p in ratio.split(":"))
        return abs(math.log(w / h) - target)

    return min(ASPECT_RATIOS, key=distance)


class FireworksImages(HttpImageVendor):
    provider_id = "fireworks"
    default_model = FLUX_SCHNELL

    def resolve_model(self, model: str) -> str:
        model = model.strip()
        if not model:
            return self.default_model
        model = MODEL_ALIASES.get(model.lower(), model)
        model = model.removeprefix("accounts/fireworks/models/")
        if not _MODEL_ID.match(model):
            raise InvalidNodeInput(f"'{model}' is not a Fireworks model id")
        return model

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
        if request.guidance_scale is not None:
            body["guidance_scale"] = request.guidance_scale
        if request.steps is not None:
            body["num_inference_steps"] = request.steps
        if request.seed is not None:
            body["seed"] = request.seed
        if request.negative_prompt:
            notes.append("negative prompt ignored: Fireworks FLUX has no such parameter")
        url = self.endpoint.url(f"workflows/accounts/fireworks/models/{model}/text_to_image")
        return PlannedRequest(self.provider_id, model, "POST", url, body, tuple(notes))

    async def generate(self, model: str, request: GenerationRequest) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> Image:
            response = await self.post(planned.url, json_body=planned.body, accept="image/png",
                                            cap=2 * MAX_IMAGE_BYTES_IN, what="text-to-image",
                                            on_status=self._status_error)
            if response.headers.get("Finish-Reason", "").upper() == "CONTENT_FILTERED":
                raise ProviderError("fireworks filtered the image (CONTENT_FILTERED)", retryable=False)
            if response.content_type.startswith("application/json"):
                return _from_json(response.body)
            return Image(response.body, response.content_type or "application/octet-stream")

        image = await self.with_retries(attempt, "text-to-image")
        return GeneratedImage(image, planned)

    def _status_error(self, status: int, body: bytes, headers: httpx.Headers) -> NodeError:
        return status_error(self.provider_id, status, self.vendor_message(body),
                            key_env=self.endpoint.key_env, secret=self.endpoint.api_key, retry_after=parse_retry_after(headers))


def _from_json(body: bytes) -> Image:
    parsed = parse_json(body)
    if not isinstance(parsed, dict):
        raise ProviderError("fireworks returned a response that is neither an image nor JSON",
                            retryable=False)
    if str(parsed.get("finishReason", "")).upper() == "CONTENT_FILTERED":
        raise ProviderError("fireworks filtered the image (CONTENT_FILTERED)", retryable=False)
    images = parsed.get("base64")
    first = images[0] if isinstance(images, list) and images else None
    if not isinstance(first, str) or not first:
        raise ProviderError("fireworks returned no image", retryable=False)
    if first.startswith("data:") and "," in first:
        first = first.split(",", 1)[1]
    try:
        return Image(base64.b64decode(first + "=" * (-len(first) % 4)), "image/png")
    except (binascii.Error, ValueError):
        raise ProviderError("fireworks returned image data that is not base64", retryable=False) from None
