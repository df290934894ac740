"""OpenAI-compatible chat providers (mistral, glm, openrouter, huggingface, ollama, a generic
server): one class, one message mapping, one adapter, one error boundary and one profile, told
apart only by their Endpoint (and, on their catalogue row, a vision model)."""

from execution.providers.openai_compat.provider import OpenAICompatibleProvider

__all__ = ["OpenAICompatibleProvider"]
