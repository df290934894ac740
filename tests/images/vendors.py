"""Image vendors built directly against a fake, with a test key and a fast policy."""

from __future__ import annotations

from typing import TypeVar

from execution.providers.image_vendors.http import HttpImageVendor, SharedClient
from execution.providers.image_vendors.huggingface.profile import FLORENCE_2
from execution.providers.image_vendors.image_providers import image_endpoint
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.providers.resilience import CallPolicy, ConcurrencyLimits, RetryPolicy
from execution.providers.settings import ProviderSettings
from tests.fakes.llm_env import TEST_KEYS

V = TypeVar("V", bound=HttpImageVendor)


def build(cls: type[V], base_url: str, vendor_id: str, *, key: str | None = None, attempts: int = 3,
          timeout: float = 5.0, client: SharedClient | None = None) -> V:
    """`cls` as vendor `vendor_id` (huggingface, glm, fireworks), its endpoint built as the server builds it."""
    providers = ProviderSettings.explicit(**{f"{vendor_id}_api_key": TEST_KEYS[vendor_id] if key is None else key})
    images = ImageProviderSettings.explicit(**{f"{vendor_id}_image_base_url": base_url})
    endpoint = image_endpoint(vendor_id, providers, images, default_model=getattr(cls, "DEFAULT_MODEL", FLORENCE_2))
    policy = CallPolicy(RetryPolicy(max_attempts=attempts, initial_backoff=0.01, max_backoff=0.05, timeout=timeout))
    return cls(endpoint, client or SharedClient(), policy, ConcurrencyLimits())
