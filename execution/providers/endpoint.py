"""Endpoint: what one provider needs to reach its vendor (base URL, key, default model,
timeout), and the checks that turn a gap into a NotConfiguredError naming the variable.

Every provider has one: the LLM providers (catalog.py) and the image vendors
(image_vendors/image_providers.py). The key is held here and nowhere else above the client;
it is left out of repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.errors import NotConfiguredError
from execution.providers.chat import Vendor


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    provider_id: str
    # The chat protocol (and SDK) an LLM provider speaks; None for an image vendor, whose
    # folder under image_vendors/ speaks its own HTTP API.
    vendor: Vendor | None = None
    base_url: str | None
    base_url_env: str
    default_model: str
    model_env: str
    timeout: float
    api_key: str | None = field(default=None, repr=False)
    # Variable holding the key; None when this provider takes no key at all.
    key_env: str | None = None
    key_required: bool = True
    # Connections the SDK client keeps open: the provider's concurrency limit, so every call in
    # flight reuses a kept-alive connection instead of opening one (the SDKs keep only 100).
    max_connections: int = 100

    def require_key(self) -> str | None:
        """The key to send (None = none needed); NotConfiguredError when a required key is missing."""
        if self.key_required and not self.api_key:
            raise NotConfiguredError(f"Provider '{self.provider_id}' is not configured: set {self.key_env}")
        return self.api_key or None

    def require_base_url(self) -> str:
        if not self.base_url:
            raise NotConfiguredError(
                f"Provider '{self.provider_id}' is not configured: set {self.base_url_env}")
        return self.base_url

    def model_for(self, requested: str) -> str:
        model = requested or self.default_model
        if not model:
            raise NotConfiguredError(f"No model for provider '{self.provider_id}': "
                                     f"set {self.model_env} or choose a model on the node")
        return model

    def url(self, path: str) -> str:
        """`path` under the base URL (one slash between them)."""
        return f"{self.require_base_url().rstrip('/')}/{path.lstrip('/')}"
