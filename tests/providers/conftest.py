from tests.fakes.llm_env import fake_anthropic, fake_openai

__all__ = ["fake_anthropic", "fake_openai"]
