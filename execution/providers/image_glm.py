"""Z.ai GLM-Image (and CogView-4) text-to-image.

Wire format (docs.z.ai api-reference/image/generate-image): `POST {base}/images/generations`
with `{model, prompt, size: "WxH", quality?}` → `{"created", "data": [{"url"}],
"content_filter": [...]}` — one image as a URL (valid 30 days), downloaded here, server-side,
without our key and with a byte cap. Base64 (`b64_json`/`base64`) is not documented but is
taken if present. No steps, seed or negative prompt exist; width/height become `size`,
snapped to the model's rules: glm-image 1024–2048 px per side, multiples of 32, ≤ 2^22 px;
cogview-4 512–2048, multiples of 16, ≤ 2^21 px.

Error boundary (`{"error": {"code": "1302", "message"}}`, code is a string; otherwise the
vendor_errors.status_error rules):
    429 + 1302 (rate limit)                retried, Retry-After honoured
    429 + 1113 (account in arrears)        not retried
    1301 (unsafe content), any status      not retried
    401                                    NotConfiguredError
    500 and other transient statuses       retried
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from typing import Any

import httpx

from execution.errors import InvalidNodeInput, NodeError, ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_generation import GeneratedImage, GenerationRequest, PlannedRequest
from execution.providers.image_http import (
    HttpImageVendor,
    parse_json,
    read_capped,
    read_prefix,
    transport_errors,
)
from execution.providers.resilience import RetryPolicy, call_with_retries
from execution.providers.vendor_errors import is_retryable_status, parse_retry_after, short, status_error

DEFAULT_BASE_URL = "https://api.z.ai/api/paas/v4"
GLM_IMAGE = "glm-image"
COGVIEW_4 = "cogview-4-250304"
ARREARS = "1113"
UNSAFE_CONTENT = "1301"
# Downloading the result is retried on its own: a failed download must not pay for a new image.
DOWNLOAD_POLICY = RetryPolicy(max_attempts=3, initial_backoff=0.5, timeout=60.0)
_MODEL_ID = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True, slots=True)
class SizeRule:
    low: int
    high: int
    multiple: int
    max_pixels: int

    def snap(self, width: int, height: int) -> tuple[int, int]:
        """The nearest size the model accepts, keeping the aspect ratio as far as the rules allow."""
        w, h = (self._side(width), self._side(height))
        while w * h > self.max_pixels:
            scale = math.sqrt(self.max_pixels / (w * h))
            w, h = self._side(int(w * scale), down=True), self._side(int(h * scale), down=True)
        return w, h

    def _side(self, value: int, down: bool = False) -> int:
        value = min(max(value, self.low), self.high)
        snapped = (value // self.multiple if down else round(value / self.multiple)) * self.multiple
        return min(max(snapped, self.low), self.high)


SIZE_RULES = {
    GLM_IMAGE: SizeRule(1024, 2048, 32, 2**22),
    COGVIEW_4: SizeRule(512, 2048, 16, 2**21),
}


class GlmImages(HttpImageVendor):
    provider_id = "glm-image"
    default_model = GLM_IMAGE

    def resolve_model(self, model: str) -> str:
        name = model.strip().lower() or self.default_model
        if name in ("glm-image", "glm_image", "glmimage"):
            return GLM_IMAGE
        if name == "cogview-4":
            return COGVIEW_4
        if name.startswith("cogview-") and _MODEL_ID.match(name):
            return name
        raise InvalidNodeInput(f"'{model}' is not a GLM image model (use {GLM_IMAGE} or {COGVIEW_4})")

    def plan(self, model: str, request: GenerationRequest) -> PlannedRequest:
        model = self.resolve_model(model)
        body: dict[str, Any] = {"model": model, "prompt": request.prompt}
        notes: list[str] = []
        if request.width is not None or request.height is not None:
            width = request.width or request.height or 0
            height = request.height or request.width or 0
            rule = SIZE_RULES.get(model, SIZE_RULES[GLM_IMAGE])
            snapped = rule.snap(width, height)
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

    async def generate(self, model: str, request: GenerationRequest) -> GeneratedImage:
        self.require_key()
        planned = self.plan(model, request)

        async def attempt() -> dict[str, Any]:
            response = await self.post(planned.url, json_body=planned.body, accept="application/json",
                                       cap=2 * MAX_IMAGE_BYTES_IN, what="image generation",
                                       on_status=self._status_error)
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
            return Image(_b64(encoded), "application/octet-stream")
        url = first.get("url")
        if not isinstance(url, str) or not url:
            raise ProviderError(f"{self.provider_id} returned neither an image URL nor image data",
                                retryable=False)
        return await call_with_retries(lambda: self._download(url), DOWNLOAD_POLICY,
                                       what=f"{self.provider_id} image download")

    async def _download(self, url: str) -> Image:
        try:
            scheme = httpx.URL(url).scheme
        except (httpx.InvalidURL, ValueError):
            scheme = ""
        if scheme not in ("http", "https"):
            raise ProviderError(f"{self.provider_id} returned an image URL that is not http(s)",
                                retryable=False)
        # A plain GET: the URL is a pre-signed link, and our key must not travel to it.
        async with transport_errors(self.endpoint, "image download"):
            async with self._client.get().stream("GET", url, follow_redirects=True) as response:
                if response.status_code >= 400:
                    await read_prefix(response)
                    status = response.status_code
                    raise ProviderError(f"{self.provider_id} image download failed (HTTP {status})",
                                        retryable=is_retryable_status(status))
                data = await read_capped(response, MAX_IMAGE_BYTES_IN, provider_id=self.provider_id,
                                         what="image download")
                mime = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                return Image(data, mime or "application/octet-stream")

    def _status_error(self, status: int, body: bytes, headers: httpx.Headers) -> NodeError:
        code, message = _glm_error(body)
        message = short(message, secret=self.endpoint.api_key) or self.vendor_message(body)
        if code:
            message = f"{message} (code {code})"
        if code == UNSAFE_CONTENT:
            return ProviderError(f"{self.provider_id} refused the prompt as unsafe (HTTP {status}): "
                                 f"{message}", retryable=False)
        return status_error(self.provider_id, status, message, key_env=self.endpoint.key_env,
                            secret=self.endpoint.api_key,
                            retry_after=parse_retry_after(headers), quota_exhausted=code == ARREARS)


def _glm_error(body: bytes) -> tuple[str, str]:
    parsed = parse_json(body)
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")
    return "", ""


def _b64(text: str) -> bytes:
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        raise ProviderError("glm-image returned image data that is not base64", retryable=False) from None
