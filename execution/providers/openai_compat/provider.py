"""OpenAICompatibleProvider: an Endpoint plus a lazily created, reused `AsyncOpenAI` client.

The SDK's own retries are off (max_retries=0): execution.providers.resilience decides.
Its timeout is the endpoint's per-call timeout, so a stalled connection surfaces as a timeout
even between our own checks. Providers that need no key (ollama, a local vLLM) get a
placeholder, because the SDK insists on one and such servers ignore it.

Structured output (a request with an output_schema): `response_format` json_schema, `strict`
only when the schema meets strict mode's rules (every object closed, all fields required) —
else the vendor would refuse the schema; the reply is validated by the caller either way. The
JSON arrives as ordinary content deltas.

The request goes through the client's generic `post` (the SDK's own route for an endpoint it
has no method for) with the body we build and `cast_to=object`: the same URL, headers, auth,
status-error mapping, SSE decoding and in-stream `error` handling as `chat.completions.create`,
without the two costs that dominated a call's CPU — transforming the request's TypedDicts (an
identity for the plain strings and dicts we send) and constructing a pydantic model per chunk;
the adapter reads the chunks' JSON objects. The body holds exactly the keys `create` would send.

The `openai` SDK is imported with the first client, not with this module: a process where
no OpenAI-compatible provider sends never loads it, and `prepare` (dry runs) needs none of it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import TYPE_CHECKING

from execution.providers.chat import ChatChunk, ChatRequest, Vendor
from execution.providers.openai_compat.adapter import chat_chunks
from execution.providers.openai_compat.errors import openai_errors
from execution.providers.openai_compat.messages import openai_messages
from execution.providers.openai_compat.profile import OPENAI_COMPATIBLE_PROFILE
from execution.providers.profile import StructuredOutput
from execution.providers.sdk_provider import SdkProvider

if TYPE_CHECKING:
    from openai import AsyncOpenAI
    from openai.types.shared_params import ResponseFormatJSONSchema

NO_KEY_PLACEHOLDER = "no-key"


class OpenAICompatibleProvider(SdkProvider["AsyncOpenAI"]):
    vendor = Vendor("openai_compatible")
    default_profile = OPENAI_COMPATIBLE_PROFILE

    def _create_client(self, key: str | None, base_url: str) -> AsyncOpenAI:
        import httpx2
        from openai import AsyncOpenAI, DefaultAioHttpClient

        pool = self.endpoint.max_connections
        http_client = DefaultAioHttpClient(
            limits=httpx2.Limits(max_connections=pool, max_keepalive_connections=pool))
        return AsyncOpenAI(api_key=key or NO_KEY_PLACEHOLDER, base_url=base_url, max_retries=0,
                           timeout=self.endpoint.timeout, http_client=http_client)

    def _response_format(self, request: ChatRequest) -> ResponseFormatJSONSchema | None:
        """The json_schema response format for a structured request (strict when the schema
        allows it), when this provider's profile says its API has one."""
        schema = request.output_schema
        if schema is None or self.profile.structured_output is not StructuredOutput.JSON_SCHEMA:
            return None
        return {"type": "json_schema",
                "json_schema": {"name": schema.name, "description": schema.description,
                                "schema": dict(schema.schema), "strict": schema.strict_compatible}}

    def _body(self, request: ChatRequest) -> dict[str, object]:
        """The chat.completions request, keys in the order `create` sends them."""
        body: dict[str, object] = {"model": request.model, "stream": True,
                                   "messages": openai_messages(request.messages)}
        if request.max_tokens:
            body["max_tokens"] = request.max_tokens
        response_format = self._response_format(request)
        if response_format is not None:
            body["response_format"] = response_format
        body["stream_options"] = {"include_usage": True}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    async def stream(self, request: ChatRequest) -> AsyncGenerator[ChatChunk, None]:
        client = self.client()
        from openai import AsyncStream

        body = self._body(request)
        with openai_errors(self.endpoint):
            response = await client.post("/chat/completions", body=body, cast_to=object,
                                         options={"security": {"bearer_auth": True}},
                                         stream=True, stream_cls=AsyncStream[object])
            try:
                async with aclosing(chat_chunks(response, self.provider_id)) as chunks:
                    async for chunk in chunks:
                        yield chunk
            finally:
                await response.close()
