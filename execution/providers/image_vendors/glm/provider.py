"""Z.ai GLM-Image (and CogView-4) text-to-image.

Wire format (docs.z.ai api-reference/image/generate-image): `POST {base}/images/generations`
with `{model, prompt, size: "WxH", quality?}` → `{"created", "data": [{"url"}],
"content_filter": [...]}` — one image as a URL (valid 30 days), downloaded here, server-side,
without our key and with a byte cap. Base64 (`b64_json`/`base64`) is not documented but is
taken if present. Sizes and models: profile.py; errors: errors.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from execution.data_urls import base64_payload
from execution.errors import ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_vendors.generation import GeneratedImage, GenerationJob, GenerationRequest, PlannedRequest
from execution.providers.image_vendors.glm.errors import glm_status_error
from execution.providers.image_vendors.glm.profile import GLM_IMAGE, glm_image_model, size_rule
from execution.providers.image_vendors.http import HttpImageVendor, parse_json
from execution.providers.resilience import RetryPolicy, call_with_retries

# Downloading the result is retried on its own: a failed download must not pay for a new image.
DOWNLOAD_POLICY = RetryPolicy(max_attempts=3, initial_backoff=0.5, timeout=60.0)


class GlmImages(HttpImageVendor):
    DEFAULT_MODEL = GLM_IMAGE
    # No seed parameter: every generation is a new image.
    takes_seed = False

    def resolve_model(self, model: str) -> str:
        return glm_image_model(model, self.default_model)

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        model = self.resolve_model(model)
        body: dict[str, Any] = {"model": model, "prompt": request.prompt}
        notes: list[str] = []
        if request.width is not None or request.height is not None:
            width = request.width or request.height or 0
            height = request.height or request.width or 0
            snapped = size_rule(model).snap(width, height)
            body["size"] = f"{snapped[0]}x{snapped[1]}"
            if snapped != (width, height):
                notes.append(f"size {width}x{height} adjusted to {body['size']} (the model's size rules)")
        for name, value in (("steps", request.steps), ("seed", request.seed),
                            ("negative prompt", request.negative_prompt or None),
                            ("guidance scale", request.guidance_scale)):
            if value is not None:
                notes.append(f"{name} ignored: GLM image generation has no such parameter")
        return PlannedRequest(self.provider_id, model, "POST", self.endpoint.url("images/generations"), body,
                              tuple(notes))

    async def generate(self, model: str, request: GenerationRequest,
                       job: GenerationJob | None = None) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> dict[str, Any]:
            response = await self.post(planned.url, json_body=planned.body, accept="application/json",
                                       cap=2 * MAX_IMAGE_BYTES_IN, what="image generation",
                                       on_status=partial(glm_status_error, self.endpoint))
            parsed = parse_json(response.body)
            if not isinstance(parsed, dict):
                raise ProviderError(f"{self.provider_id} returned a response that is not JSON",
                                    retryable=False)
            return parsed

        result = await self.with_retries(attempt, "image generation")
        return GeneratedImage(await self._image_from(result), planned)

    async def _image_from(self, result: dict[str, Any]) -> Image:
        items = result.get("data")
        first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else None
        if first is None:
            filtered = result.get("content_filter")
            hint = " (content filter triggered)" if filtered else ""
            raise ProviderError(f"{self.provider_id} returned no image{hint}", retryable=False)
        encoded = first.get("b64_json") or first.get("base64")
        if isinstance(encoded, str) and encoded:
            try:
                return Image(base64_payload(encoded), "application/octet-stream")
            except ValueError:
                raise ProviderError(f"{self.provider_id} returned image data that is not base64",
                                    retryable=False) from None
        url = first.get("url")
        if not isinstance(url, str) or not url:
            raise ProviderError(f"{self.provider_id} returned neither an image URL nor image data",
                                retryable=False)
        return await call_with_retries(lambda: self._download(url), DOWNLOAD_POLICY,
                                       what=f"{self.provider_id} image download")

    async def _download(self, url: str) -> Image:
        import httpx2

        try:
            scheme = httpx2.URL(url).scheme
        except (httpx2.InvalidURL, ValueError):
            scheme = ""
        if scheme not in ("http", "https"):
            raise ProviderError(f"{self.provider_id} returned an image URL that is not http(s)",
                                retryable=False)
        # A plain GET: the URL is a pre-signed link, and our key must not travel to it.
        response = await self.download(url, cap=MAX_IMAGE_BYTES_IN, what="image download")
        return Image(response.body, response.content_type or "application/octet-stream")
