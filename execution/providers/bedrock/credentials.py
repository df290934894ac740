"""AwsCredentials: what signs a Bedrock request — region plus either an access key pair (with
a session token for temporary credentials) or a Bedrock API key (bearer token) — read from the
standard AWS variables, as the seed's .env sets them.

They are always handed to the SDK explicitly, so neither it nor boto3 falls back to its own
lookup (profiles, ~/.aws, instance metadata): what flowexec was configured with is what signs.
When a bearer token is set it is used and the key pair is not (the SDK takes one or the other).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.errors import NotConfiguredError
from execution.providers.settings import ProviderSettings


def _secret(value: object) -> str | None:
    get = getattr(value, "get_secret_value", None)
    return (get() or None) if get is not None else None


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    region: str | None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: ProviderSettings) -> AwsCredentials:
        return cls(region=settings.aws_region or None,
                   access_key_id=_secret(settings.aws_access_key_id),
                   secret_access_key=_secret(settings.aws_secret_access_key),
                   session_token=_secret(settings.aws_session_token),
                   bearer_token=_secret(settings.aws_bearer_token_bedrock))

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value held, to mask in vendor text."""
        return tuple(s for s in (self.access_key_id, self.secret_access_key, self.session_token, self.bearer_token)
                     if s)

    def require(self, provider_id: str) -> None:
        """NotConfiguredError naming every variable still missing."""
        missing = [] if self.region else ["AWS_REGION"]
        if not self.bearer_token:
            keys = [name for name, value in (("AWS_ACCESS_KEY_ID", self.access_key_id),
                                             ("AWS_SECRET_ACCESS_KEY", self.secret_access_key)) if not value]
            if keys:
                missing.append(f"{' and '.join(keys)} (or AWS_BEARER_TOKEN_BEDROCK)")
        if missing:
            raise NotConfiguredError(f"Provider '{provider_id}' is not configured: set {'; '.join(missing)}")
