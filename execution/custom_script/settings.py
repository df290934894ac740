"""custom_script's server settings, from the environment (or `.env`), and the policy they make.

    FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS       base URLs endpoints must be under; unset: the node
                                              is off (NOT_CONFIGURED)
    FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS   CIDR networks called although private/loopback/…
                                              (e.g. `10.1.2.0/24`); unset: none
    FLOWEXEC_CUSTOM_SCRIPT_TOKEN              sent as `Authorization: Bearer …` (never shown)
    FLOWEXEC_CUSTOM_SCRIPT_CA_FILE            PEM certificates trusted for https endpoints besides
                                              the system's (an internal CA); unset: the system's
    FLOWEXEC_CUSTOM_SCRIPT_TIMEOUT            seconds for a whole call, redirects included (30)
    FLOWEXEC_CUSTOM_SCRIPT_MAX_REQUEST_BYTES  largest JSON body sent (4 MiB)
    FLOWEXEC_CUSTOM_SCRIPT_MAX_RESPONSE_BYTES largest reply read (1 MiB)
    FLOWEXEC_CUSTOM_SCRIPT_MAX_REDIRECTS      redirects followed, each checked again (3)

Lists are comma- or space-separated, or a JSON array. `policy()` checks them at start-up: a base
URL or network that does not parse is a ConfigurationError naming the variable and the item,
and the server does not start. `CustomScriptSettings.explicit(...)` reads only the values given.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass
from typing import Any

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.config_error import ConfigurationError
from execution.custom_script.addresses import IPNetwork
from execution.custom_script.urls import Endpoint, UnusableUrl, parse_endpoint
from execution.providers.settings import ExplicitSourcesOnly, by_alias

URLS_ENV = "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_URLS"
NETWORKS_ENV = "FLOWEXEC_CUSTOM_SCRIPT_ALLOWED_NETWORKS"


def _env(name: str, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


@dataclass(frozen=True, slots=True)
class ScriptPolicy:
    """What custom_script nodes may call, and within which bounds (frozen data)."""

    allowed_bases: tuple[Endpoint, ...] = ()
    allowed_networks: tuple[IPNetwork, ...] = ()
    token: str | None = None
    timeout: float = 30.0
    max_request_bytes: int = 4 * 1024 * 1024
    max_response_bytes: int = 1024 * 1024
    max_redirects: int = 3
    # PEM file of extra CA certificates for https endpoints (None: the system's only).
    ca_file: str | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.allowed_bases)

    def allows(self, endpoint: Endpoint) -> bool:
        return any(endpoint.under(base) for base in self.allowed_bases)


class CustomScriptSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    allowed_urls: str = _env(URLS_ENV, "", "Base URLs custom_script endpoints must be under (comma-separated or a "
                                            "JSON array); unset: custom_script is off.")
    allowed_networks: str = _env(NETWORKS_ENV, "", "CIDR networks custom_script may call although they are "
                                                   "private, loopback, link-local, …; unset: none.")
    token: SecretStr | None = _env("FLOWEXEC_CUSTOM_SCRIPT_TOKEN", None,
                                   "Bearer token sent to custom_script endpoints; never shown.")
    ca_file: str | None = _env("FLOWEXEC_CUSTOM_SCRIPT_CA_FILE", None,
                               "PEM certificates trusted for https endpoints besides the system's.")
    timeout: PositiveFloat = _env("FLOWEXEC_CUSTOM_SCRIPT_TIMEOUT", 30.0,
                                  "Seconds one custom_script call may take, redirects included.")
    max_request_bytes: PositiveInt = _env("FLOWEXEC_CUSTOM_SCRIPT_MAX_REQUEST_BYTES", 4 * 1024 * 1024,
                                          "Largest JSON body a custom_script node sends.")
    max_response_bytes: PositiveInt = _env("FLOWEXEC_CUSTOM_SCRIPT_MAX_RESPONSE_BYTES", 1024 * 1024,
                                           "Largest reply a custom_script node reads (it stops reading there).")
    max_redirects: NonNegativeInt = _env("FLOWEXEC_CUSTOM_SCRIPT_MAX_REDIRECTS", 3,
                                         "Redirects a custom_script call follows, each target checked again.")

    @classmethod
    def explicit(cls, **values: Any) -> CustomScriptSettings:
        """Settings from these values (by field name) and the defaults only: no environment, no .env."""
        return _ExplicitCustomScriptSettings(**by_alias(cls, values))

    def secrets(self) -> list[str]:
        return [self.token.get_secret_value()] if self.token is not None and self.token.get_secret_value() else []

    def policy(self) -> ScriptPolicy:
        """The policy these settings describe; ConfigurationError naming each unusable item."""
        problems: list[str] = []
        bases: list[Endpoint] = []
        for i, item in enumerate(_items(self.allowed_urls, URLS_ENV, problems), 1):
            try:
                base = parse_endpoint(item)
            except UnusableUrl as exc:
                problems.append(f"{URLS_ENV}: item {i} {exc}")
                continue
            if base.url.query or base.url.fragment:
                problems.append(f"{URLS_ENV}: item {i} must not have a query or fragment")
                continue
            bases.append(base)
        networks: list[IPNetwork] = []
        for item in _items(self.allowed_networks, NETWORKS_ENV, problems):
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                problems.append(f"{NETWORKS_ENV}: {item!r} is not a network (CIDR, e.g. 10.1.2.0/24)")
        if self.ca_file and not os.path.isfile(self.ca_file):
            problems.append(f"FLOWEXEC_CUSTOM_SCRIPT_CA_FILE: {self.ca_file!r} is not a file")
        if problems:
            raise ConfigurationError("custom script", problems)
        token = self.token.get_secret_value() if self.token is not None else None
        return ScriptPolicy(tuple(bases), tuple(networks), token or None, self.timeout, self.max_request_bytes,
                            self.max_response_bytes, self.max_redirects, self.ca_file or None)


def _items(text: str, env: str, problems: list[str]) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            problems.append(f"{env}: not a JSON array: {exc}")
            return []
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            problems.append(f"{env}: must be a JSON array of strings")
            return []
        return [item.strip() for item in parsed if item.strip()]
    return text.replace(",", " ").split()


class _ExplicitCustomScriptSettings(ExplicitSourcesOnly, CustomScriptSettings):
    pass
