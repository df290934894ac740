"""A fake AWS Bedrock runtime serving Claude: POST /model/{modelId}/invoke (JSON) and
/model/{modelId}/invoke-with-response-stream (AWS event-stream), as AsyncAnthropicBedrock calls them.

Wire format: the body is the Messages API request without `model` and `stream` (both are in
the URL) and with `anthropic_version: "bedrock-2023-05-31"`; a reply is the Messages JSON, or
an event stream whose `chunk` events carry `{"bytes": base64(<Anthropic stream event JSON>),
"p": padding}` (tests/fakes/aws_wire.py frames them). Errors are `{"message"}` with the kind in
`x-amzn-ErrorType`; an error mid-stream is an `exception` message (`:exception-type`).

Requests must be signed (SigV4, service `bedrock`, this fake's region) with one of its access
keys, the signature checked against the body and headers as received — or carry a Bedrock API
key as `Authorization: Bearer`. Otherwise: 403 MissingAuthenticationTokenException,
UnrecognizedClientException (unknown key id) or InvalidSignatureException. Tool use and
sampling parameters are refused as FakeAnthropic refuses them (the latter per Claude model,
recognised inside Bedrock ids such as `us.anthropic.claude-opus-4-7-v1:0`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.aws_wire import SigV4, event_stream_message
from tests.fakes.fake_anthropic import SAMPLING_API_VERSION, FakeAnthropic
from tests.fakes.llm_script import ReceivedRequest, Reply

BEDROCK_VERSION = "bedrock-2023-05-31"
_ERROR_KINDS = {400: "ValidationException", 403: "AccessDeniedException", 404: "ResourceNotFoundException",
                408: "ModelTimeoutException", 424: "ModelErrorException", 429: "ThrottlingException",
                500: "InternalServerException", 503: "ServiceUnavailableException"}
_BASE_MODEL = re.compile(r"(?:[a-z]{2,6}\.)?anthropic\.(claude-[a-z0-9-]+?)(?:-\d{8})?(?:-v\d+(?::\d+)?)?")


class FakeBedrock(FakeAnthropic):
    stream_content_type = "application/vnd.amazon.eventstream"

    def __init__(self, *, region: str, credentials: Mapping[str, str], bearer_tokens: Collection[str] = (),
                 **kw: Any) -> None:
        # access key id → secret access key
        self.region = region
        self.credentials = dict(credentials)
        self.bearer_tokens = set(bearer_tokens)
        self._auth_failure = "MissingAuthenticationTokenException"
        super().__init__(accepted_keys=set(self.credentials) | self.bearer_tokens, **kw)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/model/{model}/invoke", self.handle),
                web.post("/model/{model}/invoke-with-response-stream", self.handle)]

    async def receive(self, request: web.Request, raw_body: bytes) -> ReceivedRequest:
        model = unquote(request.match_info["model"])
        return ReceivedRequest(request.path, dict(request.headers), json.loads(raw_body), path_model=model,
                               path_stream=request.path.endswith("/invoke-with-response-stream"))

    def presented_key(self, request: web.Request, raw_body: bytes) -> str | None:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth.removeprefix("Bearer ")
            self._auth_failure = "UnrecognizedClientException"
            return token if token in self.bearer_tokens else None
        signed = SigV4.parse(auth)
        if signed is None:
            self._auth_failure = "MissingAuthenticationTokenException" if not auth else "IncompleteSignatureException"
            return None
        secret = self.credentials.get(signed.access_key_id)
        if secret is None:
            self._auth_failure = "UnrecognizedClientException"
            return None
        if (signed.region, signed.service) != (self.region, "bedrock") or not signed.verifies(
                secret, request.method, request.raw_path.split("?")[0], request.query_string,
                dict(request.headers.items()), raw_body):
            self._auth_failure = "InvalidSignatureException"
            return None
        return signed.access_key_id

    def unauthenticated(self, key: str | None) -> Reply:
        return Reply.error(403, f"{self._auth_failure}: the request signature or security token is not valid",
                           error_type=self._auth_failure)

    def error_body(self, reply: Reply) -> dict[str, Any]:
        return {"message": reply.error_message}

    def error_headers(self, reply: Reply) -> dict[str, str]:
        kind = reply.error_type or _ERROR_KINDS.get(reply.status, "InternalServerException")
        return {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/"}

    def refusal(self, received: ReceivedRequest) -> Reply | None:
        extraneous = sorted({"model", "stream"} & received.body.keys())
        if extraneous:
            return Reply.error(400, f"Malformed input request: extraneous key [{extraneous[0]}] is not permitted")
        if received.body.get("anthropic_version") != BEDROCK_VERSION:
            return Reply.error(400, "Malformed input request: anthropic_version: "
                                    f"{received.body.get('anthropic_version')!r} is not a supported version")
        return self.tool_refusal(received) or self.sampling_refusal(received, SAMPLING_API_VERSION)

    def base_model(self, model: str) -> str:
        match = _BASE_MODEL.fullmatch(model)
        return match.group(1) if match else model

    def frame(self, event: dict[str, Any]) -> bytes:
        data = base64.b64encode(json.dumps(event).encode()).decode()
        payload = json.dumps({"bytes": data, "p": "abcdefghijklmnopqrstuvwxyzABCDEF"[: 1 + len(data) % 31]})
        return event_stream_message({":event-type": "chunk", ":content-type": "application/json",
                                     ":message-type": "event"}, payload.encode())

    def message_stop(self) -> dict[str, Any]:
        return {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
            "inputTokenCount": 10, "outputTokenCount": 5, "invocationLatency": 12, "firstByteLatency": 3}}

    def stream_error_frame(self, reply: Reply) -> bytes:
        kind = reply.error_type or "modelStreamErrorException"
        return event_stream_message({":exception-type": kind, ":content-type": "application/json",
                                     ":message-type": "exception"}, json.dumps({"message": reply.stream_error}).encode())
