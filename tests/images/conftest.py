"""Fixtures for image tests: the fake vendors (HF, GLM, Fireworks, plus the LLM fakes for
vision chat) and Services wired to all of them with test keys and fast back-off."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.services import Services
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_fireworks import FakeFireworks
from tests.fakes.fake_glm_image import FakeGlmImage
from tests.fakes.fake_hf_image import FakeHfImage
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.llm_env import fake_anthropic, fake_openai, fake_settings

__all__ = ["fake_anthropic", "fake_openai"]


@pytest.fixture
async def fake_hf() -> AsyncIterator[FakeHfImage]:
    async with FakeHfImage() as server:
        yield server


@pytest.fixture
async def fake_glm() -> AsyncIterator[FakeGlmImage]:
    async with FakeGlmImage() as server:
        yield server


@pytest.fixture
async def fake_fireworks() -> AsyncIterator[FakeFireworks]:
    async with FakeFireworks() as server:
        yield server


@pytest.fixture
async def services(fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic, fake_hf: FakeHfImage,
                   fake_glm: FakeGlmImage, fake_fireworks: FakeFireworks) -> AsyncIterator[Services]:
    images = ImageProviderSettings.explicit(
        huggingface_image_base_url=fake_hf.base_url,
        glm_image_base_url=fake_glm.base_url,
        fireworks_image_base_url=fake_fireworks.base_url,
    )
    built = Services.from_settings(fake_settings(fake_openai, fake_anthropic), images)
    try:
        yield built
    finally:
        await built.aclose()
