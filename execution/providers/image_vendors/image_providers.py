"""The image vendors of one process, and which one a node uses.

ImageProviders builds every row of vendor_table from settings (one Endpoint each), owns the
shared httpx2 client, and holds the Florence-2 captioner (HuggingFace, same id and key).
`choose` maps a node's provider/model onto a vendor: a node that names a provider must name
an image vendor; otherwise the flow's provider is used when it is one (a "glm" flow
generates with GLM-Image), else the default vendor. ImageServices bundles it with the image
processor for Services.

Concurrency: the image vendors share one set of per-id slots, apart from the LLM providers'.
A vendor's text-to-image and captioning calls share its slot (same API, same key: HF FLUX
and Florence-2 together make at most FLOWEXEC_PROVIDER_CONCURRENCY_LIMITS["huggingface"]
calls at once); its chat calls (providers.llm) have their own, so minute-long image
generations never queue a chat behind them. The limit and timeout configured for an id
apply to both wings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from execution.errors import InvalidNodeInput
from execution.images.processor import ImageProcessor
from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.generation import ImageGenerationProvider
from execution.providers.image_vendors.http import SharedClient
from execution.providers.image_vendors.huggingface.provider import FlorenceCaptioner
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.providers.image_vendors.vendor_table import IMAGE_VENDORS, image_vendor_id, vendor_ids_text
from execution.providers.settings import ProviderSettings

if TYPE_CHECKING:
    import httpx2

FLORENCE_VENDOR = "huggingface"


@dataclass(frozen=True, slots=True)
class ImageChoice:
    provider: ImageGenerationProvider
    model: str


def image_endpoint(provider_id: str, providers: ProviderSettings, images: ImageProviderSettings, *,
                   default_model: str, model_env: str = "", takes_key: bool = True) -> Endpoint:
    """The Endpoint of image vendor `provider_id`: its key from `<id>_api_key` (none when it
    takes none), its base URL from `<id>_image_base_url`, its timeout from the call policy of
    its id. `model_env` is empty when the default model is not a setting."""
    key_field, url_field = f"{provider_id}_api_key", f"{provider_id}_image_base_url"
    if not takes_key:
        return Endpoint(provider_id=provider_id, base_url=getattr(images, url_field),
                        base_url_env=ImageProviderSettings.env_name(url_field), default_model=default_model,
                        model_env=model_env, timeout=providers.call_policy(provider_id).retry.timeout,
                        key_required=False)
    secret = getattr(providers, key_field)
    return Endpoint(
        provider_id=provider_id,
        base_url=getattr(images, url_field),
        base_url_env=ImageProviderSettings.env_name(url_field),
        default_model=default_model,
        model_env=model_env,
        timeout=providers.call_policy(provider_id).retry.timeout,
        api_key=secret.get_secret_value() if secret is not None else None,
        key_env=ProviderSettings.env_name(key_field),
    )


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
                      client: httpx2.AsyncClient | None = None) -> ImageProviders:
        shared = SharedClient(providers.provider_timeout, client)
        limits = providers.concurrency_limits()  # the image wing's slots, shared by its vendors
        generators = {
            row.provider_id: row.generator(
                image_endpoint(row.provider_id, providers, images, default_model=row.generator.DEFAULT_MODEL,
                               takes_key=row.takes_key),
                shared, providers.call_policy(row.provider_id), limits, images)
            for row in IMAGE_VENDORS
        }
        florence = image_endpoint(FLORENCE_VENDOR, providers, images, default_model=images.florence_model,
                                  model_env=ImageProviderSettings.env_name("florence_model"))
        captioner = FlorenceCaptioner(florence, shared, providers.call_policy(FLORENCE_VENDOR), limits)
        default = image_vendor_id(images.image_provider)
        if default is None:
            raise ValueError(f"FLOWEXEC_IMAGE_PROVIDER={images.image_provider!r} is not an image vendor "
                             f"(use {vendor_ids_text()})")
        return cls(generators, captioner, shared, default)

    @classmethod
    def unconfigured(cls) -> ImageProviders:
        """Every vendor present, none with a key: calls fail NOT_CONFIGURED, dry runs work."""
        return cls.from_settings(ProviderSettings.explicit(), ImageProviderSettings.explicit())

    def choose(self, provider_id: str, model: str, *, explicit: bool) -> ImageChoice:
        """The vendor and vendor model id for a node; `explicit` when the node itself named the provider."""
        vendor_id = image_vendor_id(provider_id)
        if vendor_id is None:
            if explicit:
                raise InvalidNodeInput(f"provider '{provider_id}' does not generate images "
                                       f"(use {vendor_ids_text()})")
            vendor_id = self.default_vendor
        provider = self.generators[vendor_id]
        return ImageChoice(provider, provider.resolve_model(model))

    async def aclose(self) -> None:
        for generator in self.generators.values():  # a vendor holding more than HTTP calls (ComfyUI's socket)
            close = getattr(generator, "aclose", None)
            if close is not None:
                await close()
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class ImageServices:
    """What image nodes use: the processor (Pillow, off the loop) and the vendors."""

    processor: ImageProcessor = field(default_factory=ImageProcessor)
    providers: ImageProviders = field(default_factory=ImageProviders.unconfigured)

    @classmethod
    def from_settings(cls, providers: ProviderSettings, images: ImageProviderSettings | None = None,
                      client: httpx2.AsyncClient | None = None) -> ImageServices:
        images = images or ImageProviderSettings()
        return cls(ImageProcessor(images.image_workers or None),
                   ImageProviders.from_settings(providers, images, client))

    async def aclose(self) -> None:
        await self.providers.aclose()
