"""Claude through the official `anthropic` SDK: provider, the Messages API request and stream it
shares with Claude on Bedrock (messages_api.py), message mapping, stream adapter, error boundary
and profile."""

from execution.providers.claude.provider import ClaudeProvider

__all__ = ["ClaudeProvider"]
