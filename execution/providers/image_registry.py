"""The image vendors of one process, and which one a node uses.

ImageProviders owns the shared httpx client and the vendors (HF, GLM, Fireworks for
generation; HF Florence-2 for captioning). `choose` maps a node's provider/model onto a
vendor: a node that names a provider must name an image vendor; otherwise the flow's
provider is used when it is one (a "glm" flow generates with GLM-Image), else the default
vendor. ImageServices bundles it with the image processor for Services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from execution.errors import InvalidNodeInput
from execution.images.processor import ImageProcessor
from execution.providers.image_fireworks import FireworksImages
from execution.providers.image_generation import ImageGenerationProvider
from execution.providers.image_glm import GlmImages
from execution.providers.image_hf import FlorenceCaptioner, HuggingFaceImages
from execution.providers.image_http import HttpImageVendor, SharedClient, VendorEndpoint
from execution.providers.image_settings import ImageProviderSettings
from execution.providers.resilience import ConcurrencyLimits
from execution.providers.settings import ProviderSettings

V = TypeVar("V", bound=HttpImageVendor)

# Editor provider ids (and a few spellings) → image vendor.
IMAGE_VENDOR_IDS: Mapping[str, str] = {
    "huggingface": "huggingface", "hf": "huggingface", "huggingface-image": "huggingface",
    "glm": "glm", "zai": "glm", "z.ai": "glm", "glm-image": "glm",
    "fireworks": "fireworks", "fireworks-ai": "fireworks", "bfl": "fireworks",
    "black-forest-labs": "fireworks",
}


@dataclass(frozen=True, slots=True)
class ImageChoice:
    provider: ImageGenerationProvider
    model: str


class ImageProviders:
    def __init__(self, generators: Mapping[str, ImageGenerationProvider], captioner: FlorenceCaptioner,
                 client: SharedClient, default_vendor: str = "huggingface") -> None:
        if default_vendor not in generators:
            raise ValueError(f"default image vendor {default_vendor!r} is not one of {sorted(generators)}")
        self.generators = dict(generators)
        self.captioner = captioner
        self.default_vendor = default_vendor
        self._client = client

    @classmethod
    def from_settings(cls, providers: ProviderSettings, images: ImageProviderSettings,
                      client: httpx.AsyncClient | None = None) -> ImageProviders:
        shared = SharedClient(providers.provider_timeout, client)
        limits: ConcurrencyLimits = providers.concurrency_limits()

        def key(field_name: str) -> str:
            secret = getattr(providers, field_name)
            return secret.get_secret_value() if secret is not None else ""

        def build(vendor: type[V], key_field: str, base_url: str) -> V:
            endpoint = VendorEndpoint(vendor.provider_id, key(key_field), base_url,
                                      ProviderSettings.env_name(key_field))
            return vendor(endpoint, shared, providers.call_policy(vendor.provider_id), limits)

        generators: dict[str, ImageGenerationProvider] = {
            "huggingface": build(HuggingFaceImages, "huggingface_api_key", images.huggingface_image_base_url),
            "glm": build(GlmImages, "glm_api_key", images.glm_image_base_url),
            "fireworks": build(FireworksImages, "fireworks_api_key", images.fireworks_base_url),
        }
        captioner = build(FlorenceCaptioner, "huggingface_api_key", images.huggingface_image_base_url)
        captioner.default_model = images.florence_model
        default = IMAGE_VENDOR_IDS.get(images.image_provider.strip().lower(), "")
        if not default:
            raise ValueError(f"FLOWEXEC_IMAGE_PROVIDER={images.image_provider!r} is not an image vendor "
                             f"(use huggingface, glm or fireworks)")
        return cls(generators, captioner, shared, default)

    @classmethod
    def unconfigured(cls) -> ImageProviders:
        """Every vendor present, none with a key: calls fail NOT_CONFIGURED, dry runs work."""
        return cls.from_settings(ProviderSettings.explicit(), ImageProviderSettings.explicit())

    def choose(self, provider_id: str, model: str, *, explicit: bool) -> ImageChoice:
        """The vendor and vendor model id for a node; `explicit` when the node itself named the provider."""
        vendor_id = IMAGE_VENDOR_IDS.get(provider_id.strip().lower(), "")
        if not vendor_id:
            if explicit:
                raise InvalidNodeInput(f"provider '{provider_id}' does not generate images "
                                       f"(use huggingface, glm or fireworks)")
            vendor_id = self.default_vendor
        provider = self.generators[vendor_id]
        return ImageChoice(provider, provider.resolve_model(model))

    async def aclose(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class ImageServices:
    """What image nodes use: the processor (Pillow, off the loop) and the vendors."""

    processor: ImageProcessor = field(default_factory=ImageProcessor)
    providers: ImageProviders = field(default_factory=ImageProviders.unconfigured)

    @classmethod
    def from_settings(cls, providers: ProviderSettings, images: ImageProviderSettings | None = None,
                      client: httpx.AsyncClient | None = None) -> ImageServices:
        images = images or ImageProviderSettings()
        return cls(ImageProcessor(images.image_workers or None),
                   ImageProviders.from_settings(providers, images, client))

    async def aclose(self) -> None:
        await self.providers.aclose()
