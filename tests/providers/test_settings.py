"""Provider configuration: seed variable names, explicit settings ignore the environment,
per-provider policies, and a Services whose redactor knows every configured key."""

from __future__ import annotations

import pytest

from execution.errors import NotConfiguredError
from execution.providers.catalog import LLM_PROVIDERS, endpoint_for
from execution.providers.settings import ProviderSettings
from execution.services import Services


def test_keys_use_the_seed_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {"MISTRAL_API_KEY": "m-123456", "GLM_API_KEY": "g-123456", "OPENROUTER_API_KEY": "o-123456",
             "HF_API_KEY": "h-123456", "ANTHROPIC_API_KEY": "a-123456", "FIREWORKS_API_KEY": "f-123456"}
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    settings = ProviderSettings(_env_file=None)
    assert sorted(settings.secrets()) == sorted(names.values())
    assert "123456" not in repr(settings)


def test_base_urls_models_and_policies_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWEXEC_MISTRAL_BASE_URL", "http://mistral.local/v1")
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://gpu-box:11434/v1")
    monkeypatch.setenv("FLOWEXEC_OPENAI_BASE_URL", "http://vllm:8000/v1")
    monkeypatch.setenv("FLOWEXEC_OPENAI_MODEL", "qwen3")
    monkeypatch.setenv("FLOWEXEC_PROVIDER_TIMEOUTS", '{"claude": 300}')
    monkeypatch.setenv("FLOWEXEC_PROVIDER_CONCURRENCY_LIMITS", '{"ollama": 1}')
    monkeypatch.setenv("FLOWEXEC_PROVIDER_MAX_ATTEMPTS", "5")
    settings = ProviderSettings(_env_file=None)
    assert settings.mistral_base_url == "http://mistral.local/v1"
    assert settings.ollama_base_url == "http://gpu-box:11434/v1"
    assert (settings.openai_base_url, settings.openai_model) == ("http://vllm:8000/v1", "qwen3")
    assert settings.call_policy("claude").retry.timeout == 300
    assert settings.call_policy("mistral").retry.timeout == 120
    assert settings.call_policy("ollama").max_concurrency == 1
    assert settings.call_policy("mistral").max_concurrency == 8
    assert settings.call_policy("glm").retry.max_attempts == 5


def test_invalid_policy_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWEXEC_PROVIDER_CONCURRENCY", "0")
    with pytest.raises(ValueError, match="FLOWEXEC_PROVIDER_CONCURRENCY"):
        ProviderSettings(_env_file=None)


def test_field_names_are_not_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_API_KEY (a real OpenAI key) must not become the self-hosted server's key."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key")
    monkeypatch.setenv("CLAUDE_API_KEY", "not-the-variable")
    monkeypatch.setenv("MISTRAL_MODEL", "not-the-variable-either")
    settings = ProviderSettings(_env_file=None)
    assert settings.secrets() == [] and settings.mistral_model == "ministral-14b-2512"


def test_explicit_settings_ignore_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISTRAL_API_KEY", "from-the-env-123")
    assert ProviderSettings.explicit().secrets() == []
    assert ProviderSettings.explicit(mistral_api_key="given-123456").secrets() == ["given-123456"]
    with pytest.raises(TypeError, match="mistral_key"):
        ProviderSettings.explicit(mistral_key="typo")


def test_seed_defaults() -> None:
    s = ProviderSettings.explicit()
    assert s.mistral_base_url == "https://api.mistral.ai/v1"
    assert s.glm_base_url == "https://api.z.ai/api/coding/paas/v4"
    assert s.openrouter_base_url == "https://openrouter.ai/api/v1"
    assert s.huggingface_base_url == "https://router.huggingface.co/v1"
    assert s.ollama_base_url == "http://localhost:11434/v1"
    assert s.openai_base_url is None


@pytest.mark.parametrize(("provider_id", "variable"), [
    ("mistral", "MISTRAL_API_KEY"), ("glm", "GLM_API_KEY"), ("openrouter", "OPENROUTER_API_KEY"),
    ("huggingface", "HF_API_KEY"), ("claude", "ANTHROPIC_API_KEY"),
])
def test_missing_key_names_the_variable(provider_id: str, variable: str) -> None:
    spec = next(s for s in LLM_PROVIDERS if s.provider_id == provider_id)
    with pytest.raises(NotConfiguredError, match=variable):
        endpoint_for(spec, ProviderSettings.explicit()).require_key()


def test_keyless_and_optional_key_providers() -> None:
    specs = {s.provider_id: s for s in LLM_PROVIDERS}
    settings = ProviderSettings.explicit()
    assert endpoint_for(specs["ollama"], settings).require_key() is None
    generic = endpoint_for(specs["openai"], settings)
    assert generic.require_key() is None
    with pytest.raises(NotConfiguredError, match="FLOWEXEC_OPENAI_BASE_URL"):
        generic.require_base_url()
    with pytest.raises(NotConfiguredError, match="FLOWEXEC_OPENAI_MODEL"):
        generic.model_for("")
    assert generic.model_for("on-the-node") == "on-the-node"


def test_services_from_env_redacts_every_configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # no .env
    monkeypatch.setenv("MISTRAL_API_KEY", "sk-mistral-secret-1")
    monkeypatch.setenv("FIREWORKS_API_KEY", "fw-secret-22222")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-333333")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "aws-session-secret-4444")
    services = Services.from_env()
    redacted = services.redactor.redact("a sk-mistral-secret-1 b fw-secret-22222 c aws-secret-333333 "
                                        "aws-session-secret-4444")
    assert "secret" not in redacted
    assert set(services.llm.ids) == {"mistral", "glm", "openrouter", "huggingface", "ollama", "openai", "claude",
                                     "bedrock"}


def test_aws_settings_use_the_seed_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert ProviderSettings(_env_file=None).aws_region == "eu-west-1"  # boto3's other name
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA0000EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-access-key")
    monkeypatch.setenv("FLOWEXEC_BEDROCK_MODEL", "us.anthropic.claude-sonnet-4-6")
    settings = ProviderSettings(_env_file=None)
    assert settings.aws_region == "us-west-2"  # AWS_REGION first, as the SDK reads them
    assert {"AKIA0000EXAMPLE", "secret-access-key"} <= set(settings.secrets())
    assert settings.bedrock_model == "us.anthropic.claude-sonnet-4-6"
    assert ProviderSettings.explicit(aws_region="ap-south-1").aws_region == "ap-south-1"
    assert ProviderSettings.env_name("aws_region") == "AWS_REGION"


def test_default_services_work_without_any_configuration() -> None:
    services = Services()
    provider = services.llm.get("mistral")
    assert provider.provider_id == "mistral"
