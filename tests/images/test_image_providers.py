"""Each image vendor against a fake speaking its documented wire format: the request as
received, every response shape, and the error boundary (retries, Retry-After, keys)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from execution.errors import InvalidNodeInput, NodeTimeout, NotConfiguredError, ProviderError
from execution.images.limits import MAX_IMAGE_BYTES_IN
from execution.outputs import Image
from execution.providers.image_vendors.fireworks.profile import nearest_aspect_ratio
from execution.providers.image_vendors.fireworks.provider import FireworksImages
from execution.providers.image_vendors.generation import GenerationRequest
from execution.providers.image_vendors.glm.provider import GlmImages
from execution.providers.image_vendors.http import SharedClient
from execution.providers.image_vendors.huggingface.provider import FlorenceCaptioner, HuggingFaceImages
from execution.providers.image_vendors.image_providers import ImageProviders
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.providers.settings import ProviderSettings
from tests.fakes.fake_fireworks import FakeFireworks
from tests.fakes.fake_glm_image import FakeGlmImage
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.image_script import FakeImageServer, ImageReply
from tests.fakes.llm_env import TEST_KEYS
from tests.images import samples
from tests.images.vendors import build

PNG = samples.solid((32, 32))
JPEG = samples.solid((32, 32), fmt="JPEG")
FULL = GenerationRequest("a lighthouse at dusk", width=1344, height=768, steps=4, seed=7,
                         negative_prompt="blurry", guidance_scale=3.5)


@pytest.fixture
async def client() -> AsyncIterator[SharedClient]:
    shared = SharedClient()
    yield shared
    await shared.aclose()


# -- HuggingFace ----------------------------------------------------------------------------

async def test_hf_request_as_received_and_raw_image_response(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply(JPEG, content_type="image/jpeg"))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    generated = await hf.generate("FLUX.1-dev", FULL)
    assert generated.image == Image(JPEG, "image/jpeg")
    [received] = fake_hf.requests
    assert received.path == "/models/black-forest-labs/FLUX.1-dev"
    assert received.authorization == f"Bearer {TEST_KEYS['huggingface']}"
    assert received.headers["Accept"] == "image/png"
    assert received.json == {"inputs": "a lighthouse at dusk", "parameters": {
        "width": 1344, "height": 768, "num_inference_steps": 4, "guidance_scale": 3.5,
        "negative_prompt": "blurry", "seed": 7}}


async def test_hf_sends_only_the_parameters_that_are_set(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply(PNG))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    await hf.generate("", GenerationRequest("a cat"))
    assert fake_hf.requests[0].path == "/models/black-forest-labs/FLUX.1-schnell"
    assert fake_hf.requests[0].json == {"inputs": "a cat"}


async def test_hf_503_loading_is_retried_after_estimated_time(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply.error(503, "Model is currently loading", extra={"estimated_time": 0.05}),
                  ImageReply(PNG))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    assert (await hf.generate("", GenerationRequest("x"))).image.data == PNG
    assert len(fake_hf.requests) == 2


async def test_hf_model_not_served_is_not_retried(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply.error(404, "Model not found"))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    with pytest.raises(ProviderError, match=r"model not served \(HTTP 404\): Model not found") as caught:
        await hf.generate("someone/unknown", GenerationRequest("x"))
    assert not caught.value.retryable and len(fake_hf.requests) == 1


async def test_hf_json_instead_of_an_image_is_an_error(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply(body=b'{"error": "loading"}', content_type="application/json"))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    with pytest.raises(ProviderError, match="returned JSON instead of an image: loading"):
        await hf.generate("", GenerationRequest("x"))


async def test_hf_oversized_body_is_cut_off(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply(b"\0" * (MAX_IMAGE_BYTES_IN + 1)))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    with pytest.raises(ProviderError, match="the limit is 16,777,216"):
        await hf.generate("", GenerationRequest("x"))


async def test_hf_model_id_cannot_escape_the_path(fake_hf: FakeHfImage, client: SharedClient) -> None:
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    for bad in ("../../admin", "owner/name?x=1", "no-owner"):
        with pytest.raises(InvalidNodeInput, match="not a HuggingFace model id"):
            hf.resolve_model(bad)


async def test_florence_sends_the_raw_image_and_reads_the_caption(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply(extra={"generated_text": " a red square "}))
    florence = build(FlorenceCaptioner, fake_hf.base_url, "huggingface", client=client)
    assert await florence.caption("", Image(JPEG, "image/jpeg")) == "a red square"
    [received] = fake_hf.requests
    assert received.path == "/models/microsoft/Florence-2-large"
    assert received.headers["Content-Type"] == "image/jpeg" and received.raw == JPEG


async def test_florence_not_served_says_so(fake_hf: FakeHfImage, client: SharedClient) -> None:
    fake_hf.queue(ImageReply.error(410, "gone"))
    florence = build(FlorenceCaptioner, fake_hf.base_url, "huggingface", client=client)
    with pytest.raises(ProviderError, match="may not be served by hf-inference; use a vision chat model"):
        await florence.caption("", Image(JPEG, "image/jpeg"))


# -- GLM ------------------------------------------------------------------------------------

async def test_glm_url_response_is_downloaded_without_our_key(fake_glm: FakeGlmImage, client: SharedClient) -> None:
    fake_glm.queue(ImageReply(PNG))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    generated = await glm.generate("", GenerationRequest("a poster", width=1280, height=1280))
    assert generated.image.data == PNG
    post, download = fake_glm.requests
    assert post.path == "/api/paas/v4/images/generations"
    assert post.authorization == f"Bearer {TEST_KEYS['glm']}"
    assert post.json == {"model": "glm-image", "prompt": "a poster", "size": "1280x1280"}
    assert download.method == "GET" and download.path.startswith("/files/")
    assert download.authorization is None


async def test_glm_base64_response_is_taken_as_well(fake_glm: FakeGlmImage, client: SharedClient) -> None:
    fake_glm.queue(ImageReply(PNG, mode="base64"))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    assert (await glm.generate("glm-image", GenerationRequest("x"))).image.data == PNG
    assert len(fake_glm.requests) == 1


def test_glm_plan_snaps_size_and_names_what_it_cannot_send() -> None:
    glm = build(GlmImages, "http://unused", "glm")
    planned = glm.plan("", FULL)
    assert planned.body == {"model": "glm-image", "prompt": FULL.prompt, "size": "1344x1024"}
    assert any("1344x768 adjusted to 1344x1024" in n for n in planned.notes)
    assert sum("ignored" in n for n in planned.notes) == 4
    assert glm.plan("cogview-4", GenerationRequest("x", width=1010, height=700)).body["size"] == "1008x704"
    with pytest.raises(InvalidNodeInput, match="not a GLM image model"):
        glm.plan("FLUX.1-dev", GenerationRequest("x"))


@pytest.mark.parametrize(("status", "code", "retried", "match"), [
    (429, "1302", True, "rate limit hit"),
    (429, "1113", False, "quota or spend limit reached"),
    (400, "1301", False, "refused the prompt as unsafe"),
    (500, "500", True, "returned HTTP 500"),
])
async def test_glm_error_codes(fake_glm: FakeGlmImage, client: SharedClient, status: int, code: str,
                               retried: bool, match: str) -> None:
    fake_glm.queue(ImageReply.error(status, "nope", error_code=code), ImageReply(PNG))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    if retried:
        assert (await glm.generate("", GenerationRequest("x"))).image.data == PNG
    else:
        with pytest.raises(ProviderError, match=match) as caught:
            await glm.generate("", GenerationRequest("x"))
        assert f"code {code}" in caught.value.message and not caught.value.retryable
    assert len(fake_glm.requests_to("generations")) == (2 if retried else 1)


async def test_glm_without_an_image_is_an_error(fake_glm: FakeGlmImage, client: SharedClient) -> None:
    fake_glm.queue(ImageReply(body=b'{"created": 1, "data": [], "content_filter": [{"level": 0}]}',
                              content_type="application/json"))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    with pytest.raises(ProviderError, match=r"returned no image \(content filter triggered\)"):
        await glm.generate("", GenerationRequest("x"))


# -- Fireworks ------------------------------------------------------------------------------

async def test_fireworks_request_as_received(fake_fireworks: FakeFireworks, client: SharedClient) -> None:
    fake_fireworks.queue(ImageReply(PNG))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    generated = await fireworks.generate("FLUX.1-dev", FULL)
    assert generated.image == Image(PNG, "image/png")
    [received] = fake_fireworks.requests
    assert received.path == "/inference/v1/workflows/accounts/fireworks/models/flux-1-dev-fp8/text_to_image"
    assert received.authorization == f"Bearer {TEST_KEYS['fireworks']}"
    assert received.headers["Accept"] == "image/png"
    assert received.json == {"prompt": FULL.prompt, "aspect_ratio": "16:9", "guidance_scale": 3.5,
                             "num_inference_steps": 4, "seed": 7}
    assert any("negative prompt ignored" in n for n in generated.planned.notes)


async def test_fireworks_json_response(fake_fireworks: FakeFireworks, client: SharedClient) -> None:
    fake_fireworks.queue(ImageReply(PNG, mode="json"))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    assert (await fireworks.generate("", GenerationRequest("x"))).image.data == PNG


@pytest.mark.parametrize("mode", ["raw", "json"])
async def test_fireworks_content_filtered_is_not_retried(fake_fireworks: FakeFireworks, client: SharedClient,
                                                         mode: str) -> None:
    fake_fireworks.queue(ImageReply(PNG, mode=mode, extra={"finishReason": "CONTENT_FILTERED"}))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    with pytest.raises(ProviderError, match="CONTENT_FILTERED") as caught:
        await fireworks.generate("", GenerationRequest("x"))
    assert not caught.value.retryable and len(fake_fireworks.requests) == 1


async def test_fireworks_429_honours_retry_after(fake_fireworks: FakeFireworks, client: SharedClient) -> None:
    fake_fireworks.queue(ImageReply.error(429, "slow down", headers={"Retry-After": "0.1"}), ImageReply(PNG))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    assert (await fireworks.generate("", GenerationRequest("x"))).image.data == PNG
    assert len(fake_fireworks.requests) == 2


async def test_fireworks_5xx_gives_up_after_the_attempts(fake_fireworks: FakeFireworks, client: SharedClient) -> None:
    fake_fireworks.default = lambda _r: ImageReply.error(502, "bad gateway")
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", attempts=3, client=client)
    with pytest.raises(ProviderError, match="returned HTTP 502") as caught:
        await fireworks.generate("", GenerationRequest("x"))
    assert caught.value.retryable and len(fake_fireworks.requests) == 3


async def test_a_stalled_vendor_times_out(fake_fireworks: FakeFireworks, client: SharedClient) -> None:
    fake_fireworks.queue(ImageReply(PNG, delay=1.0))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", attempts=1, timeout=0.1, client=client)
    with pytest.raises(NodeTimeout, match="timed out"):
        await fireworks.generate("", GenerationRequest("x"))


async def test_base64_images_may_come_as_unpadded_data_urls(fake_glm: FakeGlmImage, fake_fireworks: FakeFireworks,
                                                             client: SharedClient) -> None:
    encoded = "data:image/png;base64," + samples.b64(PNG).rstrip("=")
    fake_glm.queue(ImageReply(body=json.dumps({"created": 1, "data": [{"b64_json": encoded}]}).encode(),
                              content_type="application/json"))
    fake_fireworks.queue(ImageReply(body=json.dumps({"base64": [encoded], "finishReason": "SUCCESS"}).encode(),
                                    content_type="application/json"))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    assert (await glm.generate("", GenerationRequest("x"))).image.data == PNG
    assert (await fireworks.generate("", GenerationRequest("x"))).image.data == PNG


def test_aspect_ratio_is_the_nearest_documented_one() -> None:
    assert nearest_aspect_ratio(1024, 1024) == "1:1"
    assert nearest_aspect_ratio(1920, 1080) == "16:9"
    assert nearest_aspect_ratio(768, 1344) == "9:16"
    assert nearest_aspect_ratio(1200, 900) == "4:3"
    assert nearest_aspect_ratio(3000, 1000) == "21:9"


# -- keys -----------------------------------------------------------------------------------

async def test_missing_key_is_not_configured_and_sends_nothing(fake_hf: FakeHfImage, client: SharedClient) -> None:
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", key="", client=client)
    with pytest.raises(NotConfiguredError, match="not configured: set HF_API_KEY"):
        await hf.generate("", GenerationRequest("x"))
    assert fake_hf.requests == []


async def test_rejected_key_is_not_configured_and_not_quoted(fake_fireworks: FakeFireworks,
                                                             client: SharedClient) -> None:
    key = TEST_KEYS["fireworks"]
    fake_fireworks.queue(ImageReply.error(401, f"invalid key {key}"))
    fireworks = build(FireworksImages, fake_fireworks.base_url, "fireworks", client=client)
    with pytest.raises(NotConfiguredError) as caught:
        await fireworks.generate("", GenerationRequest("x"))
    assert "check FIREWORKS_API_KEY" in caught.value.message and key not in caught.value.message


async def test_a_key_echoed_in_a_vendor_error_is_scrubbed(fake_hf: FakeHfImage, client: SharedClient) -> None:
    key = TEST_KEYS["huggingface"]
    fake_hf.queue(ImageReply.error(400, f"bad request for token {key}"))
    hf = build(HuggingFaceImages, fake_hf.base_url, "huggingface", client=client)
    with pytest.raises(ProviderError) as caught:
        await hf.generate("", GenerationRequest("x"))
    assert key not in caught.value.message and "[redacted]" in caught.value.message
    assert key not in repr(hf.endpoint)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example/x.png", "::not a url::", ""])
async def test_glm_unusable_download_urls_are_provider_errors(fake_glm: FakeGlmImage, client: SharedClient,
                                                              url: str) -> None:
    body = json.dumps({"created": 1, "data": [{"url": url}]}).encode()
    fake_glm.queue(ImageReply(body=body, content_type="application/json"))
    glm = build(GlmImages, fake_glm.base_url, "glm", client=client)
    with pytest.raises(ProviderError, match="returned (an image URL that is not http|neither an image URL)"):
        await glm.generate("", GenerationRequest("x"))


# -- one id per vendor: it keys the settings maps and the concurrency slot -------------------

def vendor_providers(vendor_id: str, base_url: str, **policy: object) -> ImageProviders:
    """The image vendors as the server builds them, `vendor_id` keyed and pointed at a fake."""
    providers = ProviderSettings.explicit(**{f"{vendor_id}_api_key": TEST_KEYS[vendor_id]}, **policy)
    return ImageProviders.from_settings(providers, ImageProviderSettings.explicit(
        **{f"{vendor_id}_image_base_url": base_url}, image_provider=vendor_id))


@pytest.mark.parametrize("vendor_id", ["huggingface", "glm", "fireworks"])
async def test_the_timeout_map_is_keyed_by_the_vendor_id(fake_hf: FakeHfImage, fake_glm: FakeGlmImage,
                                                         fake_fireworks: FakeFireworks, vendor_id: str) -> None:
    fake: FakeImageServer = {"huggingface": fake_hf, "glm": fake_glm, "fireworks": fake_fireworks}[vendor_id]
    fake.queue(ImageReply(PNG, delay=1.0))
    providers = vendor_providers(vendor_id, fake.base_url, provider_timeouts={vendor_id: 0.2}, provider_max_attempts=1)
    try:
        with pytest.raises(NodeTimeout, match=f"^{vendor_id} "):
            await providers.generators[vendor_id].generate("", GenerationRequest("x"))
    finally:
        await providers.aclose()


async def test_hf_images_and_florence_share_the_huggingface_slot(fake_hf: FakeHfImage) -> None:
    fake_hf.queue(ImageReply(PNG, delay=0.5), ImageReply(extra={"generated_text": "a square"}))
    providers = vendor_providers("huggingface", fake_hf.base_url, provider_concurrency_limits={"huggingface": 1})
    try:
        generating = asyncio.create_task(providers.generators["huggingface"].generate("", GenerationRequest("x")))
        while not fake_hf.requests:
            await asyncio.sleep(0.01)
        captioning = asyncio.create_task(providers.captioner.caption("", Image(JPEG, "image/jpeg")))
        await asyncio.sleep(0.2)
        assert len(fake_hf.requests) == 1  # the caption waits for the slot
        assert (await generating).image.data == PNG and await captioning == "a square"
        assert len(fake_hf.requests) == 2
    finally:
        await providers.aclose()


def test_the_default_vendor_setting_takes_an_alias() -> None:
    providers = ImageProviders.from_settings(ProviderSettings.explicit(), ImageProviderSettings.explicit(image_provider="Z.AI"))
    assert providers.default_vendor == "glm"
    assert providers.choose("mistral", "", explicit=False).provider.provider_id == "glm"
