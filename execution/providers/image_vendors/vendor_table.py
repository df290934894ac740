"""The image vendors: one row each — its id, its class, and the editor's other spellings of it.

The id is the editor's provider id and the vendor's only name: ProviderCalls, error
messages, the per-provider timeout and concurrency maps (FLOWEXEC_PROVIDER_TIMEOUTS, …),
its concurrency slot. It also names the vendor's settings: `<id>_api_key` on
ProviderSettings (the key its chat API uses too, when it has one) and `<id>_image_base_url`
on ImageProviderSettings. Aliases are accepted wherever a provider id is read (a node's or
flow's provider, FLOWEXEC_IMAGE_PROVIDER) and never recorded.

Adding a vendor: a folder beside huggingface/ (profile, provider, errors), a row here, and
those settings fields (a vendor without a key, like ComfyUI, says `takes_key=False` and needs
only its base URL field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from execution.providers.endpoint import Endpoint
from execution.providers.image_vendors.comfyui.provider import ComfyUiImages
from execution.providers.image_vendors.fireworks.provider import FireworksImages
from execution.providers.image_vendors.generation import ImageGenerationProvider
from execution.providers.image_vendors.glm.provider import GlmImages
from execution.providers.image_vendors.http import SharedClient
from execution.providers.image_vendors.huggingface.provider import HuggingFaceImages
from execution.providers.resilience import CallPolicy, ConcurrencyLimits

if TYPE_CHECKING:
    from execution.providers.image_vendors.image_settings import ImageProviderSettings


class GeneratorClass(Protocol):
    """A vendor's generator class: its default model, and built from an endpoint plus the shared pieces."""

    DEFAULT_MODEL: str

    def __call__(self, endpoint: Endpoint, client: SharedClient, policy: CallPolicy,
                 limits: ConcurrencyLimits, settings: ImageProviderSettings | None = None) -> ImageGenerationProvider: ...


@dataclass(frozen=True, slots=True)
class ImageVendorRow:
    provider_id: str
    generator: GeneratorClass
    # Other spellings the editor uses for this vendor (lower case).
    aliases: tuple[str, ...] = ()
    # False for a vendor reached without a key (ComfyUI): its base URL is what it needs.
    takes_key: bool = True


IMAGE_VENDORS: tuple[ImageVendorRow, ...] = (
    ImageVendorRow("huggingface", HuggingFaceImages, aliases=("hf", "huggingface-image")),
    ImageVendorRow("glm", GlmImages, aliases=("zai", "z.ai", "glm-image")),
    ImageVendorRow("fireworks", FireworksImages, aliases=("fireworks-ai", "bfl", "black-forest-labs")),
    ImageVendorRow("comfyui", ComfyUiImages, aliases=("comfy", "comfy-ui"), takes_key=False),
)

# Every accepted spelling → the vendor's id.
_IDS: Mapping[str, str] = {name: row.provider_id for row in IMAGE_VENDORS
                           for name in (row.provider_id, *row.aliases)}


def image_vendor_id(name: str) -> str | None:
    """The vendor id `name` spells (any case, surrounding spaces ignored); None when it names no image vendor."""
    return _IDS.get(name.strip().lower())


def vendor_ids_text() -> str:
    """'huggingface, glm, fireworks or comfyui': for messages listing the choices."""
    ids = [row.provider_id for row in IMAGE_VENDORS]
    return f"{', '.join(ids[:-1])} or {ids[-1]}" if len(ids) > 1 else ids[0]
