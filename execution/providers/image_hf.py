"""HuggingFace inference (hf-inference via the router): text-to-image (FLUX.1-schnell,
FLUX.1-dev) and Florence-2 image-to-text, which share one error boundary.

Wire formats (huggingface hub-docs, tasks/text-to-image, image-to-text):
- text-to-image: `POST {base}/{model}` with `{"inputs": prompt, "parameters": {width, height,
  num_inference_steps, guidance_scale, negative_prompt, seed}}` and `Accept: image/png`
  → 200 with the raw image (its format in Content-Type).
- image-to-text: `POST {base}/{model}` with the raw image as the body → `[{"generated_text"}]`.
  There is no documented field for a Florence-2 task prompt, and image-to-text is not in
  hf-inference's current task list: the model may simply not be served (404/410).
Errors are `{"error": "msg"}` (or a list of them).

Error boundary (vendor_errors.status_error rules, plus):
    401                key rejected                  NotConfiguredError
    404/410            model not served here         not retried
    other 4xx          bad request                   not retried
    429                rate limited                  retried, Retry-After honoured
    503                loading/unavailable           retried, `estimated_time` honoured
    5xx, 408           vendor trouble                retried
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from execution.errors import InvalidNodeInput, NodeError, ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_generation import GeneratedImage, GenerationRequest, PlannedRequest
from execution.providers.image_http import ERROR_BODY_CAP, HttpImageVendor, parse_json
from execution.providers.vendor_errors import parse_retry_after, status_error

DEFAULT_BASE_URL = "https://router.huggingface.co/hf-inference/models"
FLUX_SCHNELL = "black-forest-labs/FLUX.1-schnell"
FLUX_DEV = "black-forest-labs/FLUX.1-dev"
MODEL_ALIASES = {
    "flux.1-schnell": FLUX_SCHNELL, "flux-schnell": FLUX_SCHNELL, "flux-1-schnell": FLUX_SCHNELL,
    "flux.1-dev": FLUX_DEV, "flux-dev": FLUX_DEV, "flux-1-dev": FLUX_DEV,
}
FLORENCE_2 = "microsoft/Florence-2-large"
FLORENCE_NOT_SERVED = (" — Florence-2 image-to-text may not be served by hf-inference; "
                       "use a vision chat model instead")
# A Hub repo id: it goes into the URL path, so nothing else is accepted.
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


class HuggingFaceImages(HttpImageVendor):
    provider_id = "huggingface-image"
    default_model = FLUX_SCHNELL

    def resolve_model(self, model: str) -> str:
        model = model.strip()
        if not model:
            return self.default_model
        model = MODEL_ALIASES.get(model.lower(), model)
        return _repo_id(model)

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        model = self.resolve_model(model)
        parameters: dict[str, Any] = {}
        if request.width is not None:
            parameters["width"] = request.width
        if request.height is not None:
            parameters["height"] = request.height
        if request.steps is not None:
            parameters["num_inference_steps"] = request.steps
        if request.guidance_scale is not None:
            parameters["guidance_scale"] = request.guidance_scale
        if request.negative_prompt:
            parameters["negative_prompt"] = request.negative_prompt
        if request.seed is not None:
            parameters["seed"] = request.seed
        body: dict[str, Any] = {"inputs": request.prompt}
        if parameters:
            body["parameters"] = parameters
        return PlannedRequest(self.provider_id, model, "POST", self.endpoint.url(model), body)

    async def generate(self, model: str, request: GenerationRequest) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> Image:
            response = await self.post(planned.url, json_body=planned.body, accept="image/png",
                                       cap=MAX_IMAGE_BYTES_IN, what="text-to-image",
                                       on_status=self._status_error)
            if response.content_type.startswith("application/json"):
                # A 200 with JSON is an error report (some deployments answer so while loading).
                raise ProviderError(f"{self.provider_id} returned JSON instead of an image: "
                                    f"{self.vendor_message(response.body)}", retryable=False)
            return Image(response.body, response.content_type or "application/octet-stream")

        image = await self.with_retries(attempt, "text-to-image")
        return GeneratedImage(image, planned)

    def _status_error(self, status: int, body: bytes, headers: httpx.Headers) -> NodeError:
        return _status_error(self, status, body, headers)


class FlorenceCaptioner(HttpImageVendor):
    """Florence-2 captioning through hf-inference image-to-text (may not be served)."""

    provider_id = "huggingface-florence"
    default_model = FLORENCE_2

    def resolve_model(self, model: str) -> str:
        return _repo_id(model.strip() or self.default_model)

    def url(self, model: str) -> str:
        return self.endpoint.url(self.resolve_model(model))

    async def caption(self, model: str, image: Image) -> str:
        self.require_key()
        url = self.url(model)

        async def attempt() -> str:
            response = await self.post(url, content=image.data, content_type=image.mime_type,
                                       accept="application/json", cap=ERROR_BODY_CAP, what="image-to-text",
                                       on_status=self._status_error)
            text = _generated_text(parse_json(response.body))
            if text is None:
                detail = self.vendor_message(response.body)
                raise ProviderError(f"{self.provider_id} returned no caption ({detail})", retryable=False)
            return text

        return await self.with_retries(attempt, "image-to-text")

    def _status_error(self, status: int, body: bytes, headers: httpx.Headers) -> NodeError:
        return _status_error(self, status, body, headers, not_served_hint=FLORENCE_NOT_SERVED)


def _status_error(vendor: HttpImageVendor, status: int, body: bytes, headers: httpx.Headers,
                  not_served_hint: str = "") -> NodeError:
    """HuggingFace's error boundary for HTTP statuses."""
    name = vendor.provider_id
    message = vendor.vendor_message(body)
    if status in (404, 410):
        return ProviderError(f"{name}: model not served (HTTP {status}): {message}{not_served_hint}",
                             retryable=False)
    retry_after = parse_retry_after(headers)
    if status == 503:
        retry_after = _estimated_time(body) or retry_after
    return status_error(name, status, message, key_env=vendor.endpoint.key_env, secret=vendor.endpoint.api_key,
                        retry_after=retry_after)


def _repo_id(model: str) -> str:
    if not _REPO_ID.match(model) or ".." in model:
        raise InvalidNodeInput(f"'{model}' is not a HuggingFace model id (expected 'owner/name')")
    return model


def _generated_text(parsed: object) -> str | None:
    if isinstance(parsed, list) and parsed:
        parsed = parsed[0]
    text = parsed.get("generated_text") if isinstance(parsed, dict) else None
    return text.strip() if isinstance(text, str) else None


def _estimated_time(body: bytes) -> float | None:
    parsed = parse_json(body)
    value = parsed.get("estimated_time") if isinstance(parsed, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None
