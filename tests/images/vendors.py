"""Image vendors built directly against a fake, with a test key and a fast policy."""

from __future__ import annotations

from typing import TypeVar

from execution.providers.image_http import HttpImageVendor, SharedClient, VendorEndpoint
from execution.providers.resilience import CallPolicy, ConcurrencyLimits, RetryPolicy
from tests.fakes.llm_env import TEST_KEYS

V = TypeVar("V", bound=HttpImageVendor)

KEY_ENV = {"huggingface": "HF_API_KEY", "glm": "GLM_API_KEY", "fireworks": "FIREWORKS_API_KEY"}


def build(cls: type[V], base_url: str, key_of: str, *, key: str | None = None, attempts: int = 3,
          timeout: float = 5.0, client: SharedClient | None = None) -> V:
    endpoint = VendorEndpoint(cls.provider_id, TEST_KEYS[key_of] if key is None else key, base_url, KEY_ENV[key_of])
    policy = CallPolicy(RetryPolicy(max_attempts=attempts, initial_backoff=0.01, max_backoff=0.05, timeout=timeout))
    return cls(endpoint, client or SharedClient(), policy, ConcurrencyLimits())
