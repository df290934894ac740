"""Claude on AWS Bedrock through the `anthropic` SDK's AsyncAnthropicBedrock (SigV4-signed
InvokeModel / InvokeModelWithResponseStream): provider, AWS credentials, error boundary and
profile. The request and its event stream are the Messages API's, shared with Claude direct
(claude/messages_api.py: message mapping, stream adapter, tool use for structured output)."""

from execution.providers.bedrock.provider import BedrockProvider

__all__ = ["BedrockProvider"]
