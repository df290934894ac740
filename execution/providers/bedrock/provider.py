"""BedrockProvider: Claude on AWS Bedrock — an Endpoint, AwsCredentials and a lazily created,
reused AsyncAnthropicBedrock client; the request and stream are the Messages API's
(claude/messages_api.py), which the SDK sends as InvokeModel / InvokeModelWithResponseStream
(`POST /model/{model id}/invoke[-with-response-stream]`, SigV4-signed, the stream in AWS's
binary event-stream framing).

The base URL is FLOWEXEC_BEDROCK_BASE_URL when set, else the region's runtime endpoint. SDK
retries are off (max_retries=0): execution.providers.resilience decides. Every request carries
Bedrock's API version in the body; a temperature goes only to a model that takes one (Claude's
profile), in the body too.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Self

from execution.providers.bedrock.credentials import AwsCredentials
from execution.providers.bedrock.errors import bedrock_errors
from execution.providers.bedrock.profile import BEDROCK_ANTHROPIC_VERSION, BEDROCK_PROFILE
from execution.providers.chat import ChatRequest, Vendor
from execution.providers.claude.messages_api import MessagesApiProvider
from execution.providers.endpoint import Endpoint
from execution.providers.profile import ProviderProfile

if TYPE_CHECKING:
    from anthropic import AsyncAnthropicBedrock

    from execution.providers.settings import ProviderSettings


def runtime_url(region: str) -> str:
    return f"https://bedrock-runtime.{region}.amazonaws.com"


class BedrockProvider(MessagesApiProvider["AsyncAnthropicBedrock"]):
    vendor = Vendor("anthropic_bedrock")
    default_profile = BEDROCK_PROFILE

    def __init__(self, endpoint: Endpoint, profile: ProviderProfile | None = None,
                 credentials: AwsCredentials | None = None) -> None:
        self.credentials = credentials or AwsCredentials(region=None)
        if not endpoint.base_url and self.credentials.region:
            endpoint = replace(endpoint, base_url=runtime_url(self.credentials.region))
        super().__init__(endpoint, profile)

    @classmethod
    def configured(cls, endpoint: Endpoint, profile: ProviderProfile, settings: ProviderSettings) -> Self:
        return cls(endpoint, profile, AwsCredentials.from_settings(settings))

    def client(self) -> AsyncAnthropicBedrock:
        """NotConfiguredError naming the AWS variables still missing, before any import."""
        self.credentials.require(self.provider_id)
        return super().client()

    def _create_client(self, key: str | None, base_url: str) -> AsyncAnthropicBedrock:
        import httpx2
        from anthropic import AsyncAnthropicBedrock, DefaultAioHttpClient

        creds = self.credentials
        pool = self.endpoint.max_connections
        http_client = DefaultAioHttpClient(
            limits=httpx2.Limits(max_connections=pool, max_keepalive_connections=pool))
        signing: dict[str, Any] = (
            {"api_key": creds.bearer_token} if creds.bearer_token else
            {"aws_access_key": creds.access_key_id, "aws_secret_key": creds.secret_access_key,
             "aws_session_token": creds.session_token})
        return AsyncAnthropicBedrock(aws_region=creds.region, base_url=base_url, max_retries=0,
                                     timeout=self.endpoint.timeout, http_client=http_client, **signing)

    def _errors(self) -> AbstractContextManager[None]:
        return bedrock_errors(self.endpoint, self.credentials)

    def _version(self, request: ChatRequest) -> tuple[Mapping[str, str] | None, dict[str, Any]]:
        body: dict[str, Any] = {"anthropic_version": BEDROCK_ANTHROPIC_VERSION}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return None, body
