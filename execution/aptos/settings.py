"""Aptos settings from the environment (or `.env`): the seed's names for the node and the key,
FLOWEXEC_APTOS_* for the rest. `AptosSettings.explicit(...)` reads only the values given (tests)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.providers.settings import ExplicitSourcesOnly, by_alias


def _env(name: str, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


class AptosSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    node_url: str | None = _env("APTOS_NODE_URL", None,
                                "Aptos fullnode REST API (…/v1 optional); unset: the Aptos nodes are not configured.")
    private_key: SecretStr | None = _env("APTOS_PRIVATE_KEY", None,
                                         "The server's Ed25519 key, used only to submit, and only when allowed.")
    allow_submit: bool = _env("FLOWEXEC_APTOS_ALLOW_SUBMIT", False,
                              "Let aptos_build_transaction nodes that ask (submit: true) sign with "
                              "APTOS_PRIVATE_KEY and submit.")
    timeout: PositiveFloat = _env("FLOWEXEC_APTOS_TIMEOUT", 30.0, "Seconds one request to the node may take.")
    max_attempts: PositiveInt = _env("FLOWEXEC_APTOS_MAX_ATTEMPTS", 3, "Attempts per read, first one included.")
    initial_backoff: float = Field(0.5, ge=0, validation_alias="FLOWEXEC_APTOS_INITIAL_BACKOFF",
                                   description="First back-off between read attempts (seconds; doubles).")
    max_response_bytes: PositiveInt = _env("FLOWEXEC_APTOS_MAX_RESPONSE_BYTES", 8 * 1024 * 1024,
                                           "Largest reply read from the node.")
    wait_seconds: PositiveFloat = _env("FLOWEXEC_APTOS_WAIT_SECONDS", 30.0,
                                       "How long a submitting node waits for its transaction to commit.")

    @classmethod
    def explicit(cls, **values: Any) -> AptosSettings:
        """Settings from these values (by field name) and the defaults only: no environment, no .env."""
        return _ExplicitAptosSettings(**by_alias(cls, values))

    def secrets(self) -> list[str]:
        return [self.private_key.get_secret_value()] if self.private_key is not None else []


class _ExplicitAptosSettings(ExplicitSourcesOnly, AptosSettings):
    pass
