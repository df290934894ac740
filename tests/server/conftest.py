from tests.fakes.llm_env import fake_anthropic, fake_openai
from tests.images.conftest import fake_fireworks, fake_glm, fake_hf, services

__all__ = ["fake_anthropic", "fake_fireworks", "fake_glm", "fake_hf", "fake_openai", "services"]
