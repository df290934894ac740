"""Claude on AWS Bedrock through the real `anthropic` SDK's AsyncAnthropicBedrock against a fake
Bedrock runtime (InvokeModel JSON, InvokeModelWithResponseStream in AWS's binary event-stream,
SigV4 checked against the request as received): the request on the wire, deltas, credentials,
and every failure mapped by the boundary."""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib
from contextlib import AbstractAsyncContextManager
from typing import Any

import anthropic
import pytest

from execution.errors import NotConfiguredError, ProviderError
from execution.messages import ChatMessage
from execution.providers.chat import ChatRequest
from execution.providers.llm import LlmProviders
from tests.fakes.aws_wire import SigV4, event_stream_message
from tests.fakes.fake_bedrock import FakeBedrock
from tests.fakes.llm_env import AWS_TEST, BEDROCK_BEARER_TOKEN, fake_settings
from tests.fakes.llm_script import Reply
from tests.providers.calls import llm_providers, streamed

DEFAULT_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def providers(fake: FakeBedrock, **overrides: Any) -> AbstractAsyncContextManager[LlmProviders]:
    return llm_providers(fake_settings(bedrock=fake, **overrides))


async def complete(llm: LlmProviders, **request: Any) -> tuple[str, list[str]]:
    return await streamed(llm, "bedrock", **request)


async def test_request_on_the_wire_signed_and_streamed(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply(chunks=("The ", "sea ", "remembers.")))
    async with providers(fake_bedrock) as llm:
        text, deltas = await complete(llm, temperature=0.7, max_tokens=900)
    assert deltas == ["The ", "sea ", "remembers."] and text == "The sea remembers."
    [received] = fake_bedrock.requests
    assert received.path == f"/model/{DEFAULT_MODEL}/invoke-with-response-stream"
    signed = SigV4.parse(received.headers["Authorization"])
    assert signed is not None  # and the fake verified its signature over this very body
    assert (signed.access_key_id, signed.region, signed.service) == (AWS_TEST["aws_access_key_id"], "us-west-2",
                                                                     "bedrock")
    assert {"host", "x-amz-date", "content-type"} <= set(signed.signed_headers)
    # Model and streaming live in the URL; the API version in the body. Claude 4.5 takes a temperature.
    assert received.body == {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 900, "temperature": 0.7,
                             "messages": [{"role": "user", "content": "Tell a tale."}]}


async def test_a_model_that_refuses_sampling_gets_none(fake_bedrock: FakeBedrock) -> None:
    model = "us.anthropic.claude-opus-4-7-v1:0"
    async with providers(fake_bedrock) as llm:
        text, _ = await complete(llm, model=model, temperature=0.95)
    assert text == f"[{model}] reply"
    [received] = fake_bedrock.requests
    assert received.path == "/model/us.anthropic.claude-opus-4-7-v1:0/invoke-with-response-stream"
    assert "temperature" not in received.body


async def test_system_text_goes_apart(fake_bedrock: FakeBedrock) -> None:
    async with providers(fake_bedrock) as llm:
        call = llm.call("bedrock", ChatRequest(messages=(ChatMessage("system", "Be brief."),
                                                         ChatMessage("user", "Hi"))))
        await call.send()
    [received] = fake_bedrock.requests
    assert received.body["system"] == "Be brief." and received.body["messages"] == [{"role": "user", "content": "Hi"}]


async def test_bearer_token_instead_of_signing(fake_bedrock: FakeBedrock) -> None:
    async with providers(fake_bedrock, aws_bearer_token_bedrock=BEDROCK_BEARER_TOKEN) as llm:
        text, _ = await complete(llm)
    assert text == f"[{DEFAULT_MODEL}] reply"
    assert fake_bedrock.requests[0].headers["Authorization"] == f"Bearer {BEDROCK_BEARER_TOKEN}"


@pytest.mark.parametrize(("overrides", "kind"), [
    ({"aws_secret_access_key": "not-the-secret-0000"}, "InvalidSignatureException"),
    ({"aws_access_key_id": "AKIAUNKNOWN000000000"}, "UnrecognizedClientException"),
])
async def test_rejected_credentials_name_the_variables(fake_bedrock: FakeBedrock, overrides: dict[str, str],
                                                       kind: str) -> None:
    async with providers(fake_bedrock, **overrides) as llm:
        with pytest.raises(NotConfiguredError, match=f"HTTP 403 {kind}.*AWS_ACCESS_KEY_ID") as info:
            await complete(llm)
    assert not info.value.retryable and len(fake_bedrock.requests) == 1
    assert "not-the-secret" not in info.value.message


@pytest.mark.parametrize(("missing", "named"), [
    (("aws_region",), "set AWS_REGION"),
    (("aws_access_key_id",), "set AWS_ACCESS_KEY_ID (or AWS_BEARER_TOKEN_BEDROCK)"),
    (("aws_access_key_id", "aws_secret_access_key"), "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
])
async def test_missing_settings_are_named_before_any_request(fake_bedrock: FakeBedrock, missing: tuple[str, ...],
                                                             named: str) -> None:
    async with providers(fake_bedrock, **dict.fromkeys(missing)) as llm:
        with pytest.raises(NotConfiguredError, match=named.replace("(", r"\(").replace(")", r"\)")):
            await complete(llm)
    assert fake_bedrock.requests == []


def test_base_url_is_the_regions_runtime_unless_set() -> None:
    provider = LlmProviders.from_settings(fake_settings(aws_region="eu-central-1")).get("bedrock")
    assert provider.endpoint.base_url == "https://bedrock-runtime.eu-central-1.amazonaws.com"  # type: ignore[attr-defined]
    record = LlmProviders.unconfigured().call("bedrock", ChatRequest(messages=(), temperature=0.5)).record
    assert (record.model, record.temperature, record.max_tokens) == (DEFAULT_MODEL, 0.5, 2048)


async def test_throttling_is_retried(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply.error(429, "Too many requests, please wait before trying again."))
    async with providers(fake_bedrock) as llm:
        text, _ = await complete(llm)
    assert text and len(fake_bedrock.requests) == 2


async def test_model_error_424_is_retried(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply.error(424, "The model returned an error"))
    async with providers(fake_bedrock) as llm:
        text, _ = await complete(llm)
    assert text and len(fake_bedrock.requests) == 2


@pytest.mark.parametrize(("status", "kind"), [
    (400, "ValidationException"), (403, "AccessDeniedException"), (404, "ResourceNotFoundException"),
    (400, "ServiceQuotaExceededException"),
])
async def test_final_errors_are_quoted_and_not_retried(fake_bedrock: FakeBedrock, status: int, kind: str) -> None:
    secret = AWS_TEST["aws_secret_access_key"]
    fake_bedrock.queue(Reply.error(status, f"no access for key {secret}", error_type=kind))
    async with providers(fake_bedrock) as llm:
        with pytest.raises(ProviderError, match=f"bedrock .*HTTP {status}.*{kind}: no access for key") as info:
            await complete(llm)
    assert not info.value.retryable and len(fake_bedrock.requests) == 1
    assert secret not in info.value.message


async def test_exception_in_the_stream_before_text_is_retried(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply(chunks=(), stream_error="Too many tokens", error_type="throttlingException"))
    async with providers(fake_bedrock) as llm:
        text, _ = await complete(llm)
    assert text and len(fake_bedrock.requests) == 2


async def test_exception_in_the_stream_after_text_fails_the_call(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(Reply(chunks=("The ", "sea"), stream_error="The model stream failed"))
    async with providers(fake_bedrock) as llm:
        with pytest.raises(ProviderError) as info:
            await complete(llm)
    assert "modelStreamErrorException mid-stream: The model stream failed" in info.value.message
    assert info.value.retryable and "after 7 characters" in info.value.message
    assert len(fake_bedrock.requests) == 1


async def test_stream_cut_before_message_stop_is_incomplete(fake_bedrock: FakeBedrock) -> None:
    fake_bedrock.queue(*[Reply(chunks=("cut",), finish=False)] * 2)
    async with providers(fake_bedrock, provider_max_attempts=2) as llm:
        with pytest.raises(ProviderError, match="ended before the response was complete"):
            await llm.call("bedrock", ChatRequest(messages=(ChatMessage("user", "x"),))).send()


async def test_invoke_model_json_through_the_sdk(fake_bedrock: FakeBedrock) -> None:
    """The fake's InvokeModel (non-streaming) path, as the SDK calls it."""
    async with providers(fake_bedrock) as llm:
        client = llm.get("bedrock").client()  # type: ignore[attr-defined]
        message = await client.messages.create(model=DEFAULT_MODEL, max_tokens=10,
                                               messages=[{"role": "user", "content": "hi"}],
                                               extra_body={"anthropic_version": "bedrock-2023-05-31"})
    assert message.content[0].text == f"[{DEFAULT_MODEL}] reply"
    assert fake_bedrock.requests[0].path == f"/model/{DEFAULT_MODEL}/invoke"


async def test_fake_refuses_what_bedrock_refuses(fake_bedrock: FakeBedrock) -> None:
    """Keeps the fake honest: the SDK's own first-party API version in the body, or a body the
    signature does not cover, is refused."""
    user = [{"role": "user", "content": "hi"}]
    async with providers(fake_bedrock) as llm:
        client = llm.get("bedrock").client()  # type: ignore[attr-defined]
        with pytest.raises(anthropic.BadRequestError, match="is not a supported version"):
            await client.messages.create(model=DEFAULT_MODEL, max_tokens=10, messages=user)
        with pytest.raises(anthropic.BadRequestError, match="`temperature` is deprecated for this model"):
            await client.messages.create(model="anthropic.claude-opus-4-7-v1:0", max_tokens=10, messages=user,
                                         extra_body={"anthropic_version": "bedrock-2023-05-31", "temperature": 1})


def test_sigv4_check_catches_a_changed_body() -> None:
    """The fake's signature check against a signature computed by hand (AWS's documented steps)."""
    secret, date, amz_date = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "20150830T123600Z"
    headers = {"Host": "example.amazonaws.com", "X-Amz-Date": amz_date}
    canonical = "\n".join(["POST", "/model/a%253Ab/invoke", "", f"host:example.amazonaws.com\nx-amz-date:{amz_date}\n",
                           "host;x-amz-date", hashlib.sha256(b"{}").hexdigest()])
    scope = f"{date}/us-east-1/bedrock/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = f"AWS4{secret}".encode()
    for part in (date, "us-east-1", "bedrock", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    signed = SigV4.parse(f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders=host;x-amz-date, "
                         f"Signature={signature}")
    assert signed is not None
    assert signed.verifies(secret, "POST", "/model/a%3Ab/invoke", "", headers, b"{}")
    assert not signed.verifies(secret, "POST", "/model/a%3Ab/invoke", "", headers, b"{ }")
    assert not signed.verifies("other", "POST", "/model/a%3Ab/invoke", "", headers, b"{}")


def test_event_stream_framing_decodes_with_botocore() -> None:
    from botocore.eventstream import EventStreamBuffer

    message = event_stream_message({":event-type": "chunk", ":message-type": "event"}, b'{"bytes": "e30="}')
    total, _headers_length, prelude_crc = struct.unpack(">III", message[:12])
    assert total == len(message) and prelude_crc == zlib.crc32(message[:8])
    buffer = EventStreamBuffer()
    buffer.add_data(message * 2)
    decoded = list(buffer)
    assert [m.headers[":event-type"] for m in decoded] == ["chunk", "chunk"]
    assert decoded[0].payload == b'{"bytes": "e30="}'
