"""Claude through the official `anthropic` SDK: provider, stream adapter, error boundary."""

from execution.providers.claude.provider import ClaudeProvider

__all__ = ["ClaudeProvider"]
