"""OpenAI-compatible chat providers (mistral, glm, openrouter, huggingface, ollama, a generic
server): one class, one adapter and one error boundary, told apart only by their Endpoint."""

from execution.providers.openai_compat.provider import OpenAICompatibleProvider

__all__ = ["OpenAICompatibleProvider"]
