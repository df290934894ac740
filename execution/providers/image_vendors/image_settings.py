"""Image-vendor settings that are not keys: base URLs, the default vendor, worker count.

Keys (HF_API_KEY, GLM_API_KEY, FIREWORKS_API_KEY) and call policy (timeouts, attempts,
concurrency maps) come from ProviderSettings, the one place every provider reads them; the
image vendors are keyed there by their one id (`huggingface`, `glm`, `fireworks`: see
vendor_table). Image endpoints differ from the same vendors' chat endpoints (GLM images live
under /api/paas/v4, not the coding plan's URL), hence their own base-URL settings here, one
`<id>_image_base_url` field per vendor.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, NonNegativeInt, PositiveFloat
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.providers.image_vendors.fireworks import profile as fireworks
from execution.providers.image_vendors.glm import profile as glm
from execution.providers.image_vendors.huggingface import profile as huggingface
from execution.providers.settings import ExplicitSourcesOnly, by_alias


def _env(name: str, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


class ImageProviderSettings(BaseSettings):
    # Aliases only, as in ProviderSettings: a field name never picks up a stray variable.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    huggingface_image_base_url: str = _env("FLOWEXEC_HUGGINGFACE_IMAGE_BASE_URL", huggingface.DEFAULT_BASE_URL,
                                           "HF inference models URL (text-to-image, image-to-text).")
    glm_image_base_url: str = _env("FLOWEXEC_GLM_IMAGE_BASE_URL", glm.DEFAULT_BASE_URL,
                                   "Z.ai API root for images/generations.")
    fireworks_image_base_url: str = _env("FLOWEXEC_FIREWORKS_BASE_URL", fireworks.DEFAULT_BASE_URL,
                                         "Fireworks inference API root.")
    comfyui_image_base_url: str | None = _env("COMFYUI_BASE_URL", None,
                                              "ComfyUI server root (http://host:8188); unset: ComfyUI is off.")
    comfyui_poll_seconds: PositiveFloat = _env("FLOWEXEC_COMFYUI_POLL_SECONDS", 2.0,
                                               "A prompt's queue and history are read after this much "
                                               "silence on ComfyUI's websocket.")
    image_provider: str = _env("FLOWEXEC_IMAGE_PROVIDER", "huggingface",
                               "Image vendor when no node or flow names one: huggingface, glm, fireworks "
                               "or comfyui.")
    florence_model: str = _env("FLOWEXEC_FLORENCE_MODEL", huggingface.FLORENCE_2,
                               "Florence-2 model on hf-inference.")
    image_workers: NonNegativeInt = _env("FLOWEXEC_IMAGE_WORKERS", 0,
                                         "Images decoded/encoded at once (threads); 0 = min(4, CPUs).")

    @classmethod
    def explicit(cls, **values: Any) -> ImageProviderSettings:
        """Settings from these values and the defaults only (no environment, no .env)."""
        return _ExplicitImageProviderSettings(**by_alias(cls, values))

    @classmethod
    def env_name(cls, field_name: str) -> str:
        """The environment variable a field is read from (named in configuration errors)."""
        return str(cls.model_fields[field_name].validation_alias)


class _ExplicitImageProviderSettings(ExplicitSourcesOnly, ImageProviderSettings):
    pass
