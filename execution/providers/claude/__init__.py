"""Claude through the official `anthropic` SDK: provider, message mapping, stream adapter,
error boundary and profile."""

from execution.providers.claude.provider import ClaudeProvider

__all__ = ["ClaudeProvider"]
