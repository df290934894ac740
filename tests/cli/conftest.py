from tests.fakes.llm_env import fake_openai

__all__ = ["fake_openai"]
