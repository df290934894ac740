"""What Claude on Bedrock can do: Claude's profile (claude/profile.py — its sampling table
already matches Bedrock ids such as `anthropic.claude-sonnet-4-6-v1:0` and inference profiles
such as `us.anthropic.…`), and the API version Bedrock's InvokeModel body carries.

Bedrock takes the Messages API version in the body (`anthropic_version`), not in a header, and
documents one value for Claude: BEDROCK_ANTHROPIC_VERSION. It is sent on every request (the SDK
would otherwise put its own first-party version there).
"""

from __future__ import annotations

from execution.providers.claude.profile import CLAUDE_PROFILE

BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31"

BEDROCK_PROFILE = CLAUDE_PROFILE
