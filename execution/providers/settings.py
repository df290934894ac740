"""Provider configuration: every API key, base URL, default model and call policy, in one place.

Read from the environment (or `.env`) by `ProviderSettings()`; `ProviderSettings.explicit(...)`
takes only the values given (tests, defaults), so a developer's own keys never leak in.
Keys keep the unprefixed names the editor uses for them (MISTRAL_API_KEY, …); everything else
is FLOWEXEC_-prefixed, except OLLAMA_BASE_URL, the variable Ollama users already set. Field
names follow `<provider id>_api_key` / `_base_url` / `_model`, which is how the provider table
finds them.

Per-provider policy knobs are JSON maps keyed by provider id, e.g.
FLOWEXEC_PROVIDER_TIMEOUTS='{"claude": 180}', FLOWEXEC_PROVIDER_CONCURRENCY_LIMITS='{"ollama": 2}';
image providers use the same maps with their own ids.

Budgets per user × provider (requests and tokens per minute) follow the same shape: a default
for every provider (FLOWEXEC_PROVIDER_RPM, FLOWEXEC_PROVIDER_TPM; 0 = no limit, the default)
and per-provider maps (FLOWEXEC_PROVIDER_RPM_LIMITS='{"mistral": 60}'). They apply to chat
calls; see execution.ratelimit.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, Field, NonNegativeInt, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from execution.providers.resilience import CallPolicy, ConcurrencyLimits, RetryPolicy
from execution.ratelimit.gate import DEFAULT_MAX_WAIT
from execution.ratelimit.policy import BudgetPolicies


def _env(name: str | AliasChoices, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


class ProviderSettings(BaseSettings):
    # Only the aliases are read (no populate_by_name): a field name such as `openai_api_key`
    # must never pick up an unrelated variable (OPENAI_API_KEY would leak a real OpenAI key to
    # a self-hosted server).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    # -- API keys (unprefixed, the names the editor uses) ---------------------------------
    mistral_api_key: SecretStr | None = _env("MISTRAL_API_KEY", None, "Mistral API key.")
    glm_api_key: SecretStr | None = _env("GLM_API_KEY", None, "Z.ai GLM API key.")
    openrouter_api_key: SecretStr | None = _env("OPENROUTER_API_KEY", None, "OpenRouter API key.")
    huggingface_api_key: SecretStr | None = _env("HF_API_KEY", None, "HuggingFace token (hf_…).")
    claude_api_key: SecretStr | None = _env("ANTHROPIC_API_KEY", None, "Anthropic API key (claude).")
    fireworks_api_key: SecretStr | None = _env("FIREWORKS_API_KEY", None, "Fireworks key (FLUX images).")
    openai_api_key: SecretStr | None = _env("FLOWEXEC_OPENAI_API_KEY", None,
                                            "Key for the generic OpenAI-compatible server, if it wants one.")

    # -- AWS (bedrock): the standard AWS variable names, as the seed's .env sets them --------
    aws_region: str | None = _env(AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"), None,
                                  "AWS region of Bedrock runtime (us-west-2, …).")
    aws_access_key_id: SecretStr | None = _env("AWS_ACCESS_KEY_ID", None, "AWS access key id (bedrock).")
    aws_secret_access_key: SecretStr | None = _env("AWS_SECRET_ACCESS_KEY", None, "AWS secret access key (bedrock).")
    aws_session_token: SecretStr | None = _env("AWS_SESSION_TOKEN", None,
                                               "AWS session token, with temporary credentials (bedrock).")
    aws_bearer_token_bedrock: SecretStr | None = _env(
        "AWS_BEARER_TOKEN_BEDROCK", None, "Bedrock API key; when set it is used instead of the access keys.")

    # -- Base URLs ------------------------------------------------------------------------
    mistral_base_url: str = _env("FLOWEXEC_MISTRAL_BASE_URL", "https://api.mistral.ai/v1", "Mistral API.")
    glm_base_url: str = _env("FLOWEXEC_GLM_BASE_URL", "https://api.z.ai/api/coding/paas/v4", "GLM API.")
    openrouter_base_url: str = _env("FLOWEXEC_OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1",
                                    "OpenRouter API.")
    huggingface_base_url: str = _env("FLOWEXEC_HUGGINGFACE_BASE_URL", "https://router.huggingface.co/v1",
                                     "HuggingFace router (OpenAI-compatible chat).")
    claude_base_url: str = _env("FLOWEXEC_CLAUDE_BASE_URL", "https://api.anthropic.com", "Anthropic API.")
    ollama_base_url: str = _env("OLLAMA_BASE_URL", "http://localhost:11434/v1", "Local Ollama (no key).")
    openai_base_url: str | None = _env("FLOWEXEC_OPENAI_BASE_URL", None,
                                       "Generic OpenAI-compatible server (vLLM, LM Studio, …); unset = off.")
    bedrock_base_url: str | None = _env("FLOWEXEC_BEDROCK_BASE_URL", None,
                                        "Bedrock runtime endpoint; unset = https://bedrock-runtime.<region>.amazonaws.com.")

    # -- Default models (used when neither the node nor the type table names one) --------
    mistral_model: str = _env("FLOWEXEC_MISTRAL_MODEL", "ministral-14b-2512", "Default Mistral model.")
    glm_model: str = _env("FLOWEXEC_GLM_MODEL", "glm-4.7", "Default GLM model.")
    openrouter_model: str = _env("FLOWEXEC_OPENROUTER_MODEL",
                                 "cognitivecomputations/dolphin-mistral-24b-venice-edition:free",
                                 "Default OpenRouter model.")
    huggingface_model: str = _env("FLOWEXEC_HUGGINGFACE_MODEL", "Qwen/Qwen2.5-72B-Instruct",
                                  "Default HuggingFace model.")
    claude_model: str = _env("FLOWEXEC_CLAUDE_MODEL", "claude-sonnet-5-5", "Default Claude model.")
    ollama_model: str = _env("FLOWEXEC_OLLAMA_MODEL", "llama3.2", "Default Ollama model.")
    openai_model: str = _env("FLOWEXEC_OPENAI_MODEL", "",
                             "Model of the generic server; empty = the node must name one.")
    bedrock_model: str = _env("FLOWEXEC_BEDROCK_MODEL", "anthropic.claude-sonnet-4-5-20250929-v1:0",
                              "Default Bedrock model id (or inference profile id, e.g. us.anthropic.…).")

    # -- Call policy (all providers, LLM and image) ----------------------------------------
    provider_timeout: PositiveFloat = _env("FLOWEXEC_PROVIDER_TIMEOUT", 120.0,
                                           "Seconds one attempt may take, streamed response included.")
    provider_timeouts: dict[str, PositiveFloat] = _env("FLOWEXEC_PROVIDER_TIMEOUTS", {},
                                                       "Per-provider timeout overrides (JSON map).")
    provider_max_attempts: PositiveInt = _env("FLOWEXEC_PROVIDER_MAX_ATTEMPTS", 3,
                                              "Attempts per call, first one included.")
    provider_initial_backoff: Annotated[float, Field(ge=0)] = _env(
        "FLOWEXEC_PROVIDER_INITIAL_BACKOFF", 0.5, "First back-off in seconds; doubles per retry.")
    provider_max_retry_after: Annotated[float, Field(ge=0)] = _env(
        "FLOWEXEC_PROVIDER_MAX_RETRY_AFTER", 30.0, "Longest vendor Retry-After still waited for.")
    provider_concurrency: PositiveInt = _env("FLOWEXEC_PROVIDER_CONCURRENCY", 8,
                                             "Calls in flight at once to one provider (whole process).")
    provider_concurrency_limits: dict[str, PositiveInt] = _env(
        "FLOWEXEC_PROVIDER_CONCURRENCY_LIMITS", {}, "Per-provider concurrency overrides (JSON map).")

    # -- Budgets per user × provider (chat calls) ------------------------------------------
    provider_rpm: NonNegativeInt = _env("FLOWEXEC_PROVIDER_RPM", 0,
                                        "Requests per minute one user may send to one provider; 0 = no limit.")
    provider_rpm_limits: dict[str, NonNegativeInt] = _env(
        "FLOWEXEC_PROVIDER_RPM_LIMITS", {}, "Per-provider requests-per-minute overrides (JSON map).")
    provider_tpm: NonNegativeInt = _env("FLOWEXEC_PROVIDER_TPM", 0,
                                        "Tokens (input + output) per minute one user may spend at one provider; "
                                        "0 = no limit.")
    provider_tpm_limits: dict[str, NonNegativeInt] = _env(
        "FLOWEXEC_PROVIDER_TPM_LIMITS", {}, "Per-provider tokens-per-minute overrides (JSON map).")
    rate_limit_max_wait: Annotated[float, Field(ge=0)] = _env(
        "FLOWEXEC_RATE_LIMIT_MAX_WAIT", DEFAULT_MAX_WAIT,
        "Longest a node waits for its user's budget; a longer wait ends it ERROR / RATE_LIMITED.")

    @classmethod
    def explicit(cls, **values: Any) -> ProviderSettings:
        """Settings from these values (by field name) and the defaults only: no environment, no .env."""
        return _ExplicitProviderSettings(**by_alias(cls, values))

    @classmethod
    def env_name(cls, field_name: str) -> str:
        """The environment variable a field is read from (named in configuration errors)."""
        alias = cls.model_fields[field_name].validation_alias
        if isinstance(alias, AliasChoices):
            alias = alias.choices[0]
        return alias if isinstance(alias, str) else field_name.upper()

    def secrets(self) -> list[str]:
        """Every configured secret value, for the redactor."""
        return [v.get_secret_value() for v in (getattr(self, name) for name in type(self).model_fields)
                if isinstance(v, SecretStr) and v.get_secret_value()]

    def call_policy(self, provider_id: str) -> CallPolicy:
        retry = RetryPolicy(
            max_attempts=self.provider_max_attempts,
            initial_backoff=self.provider_initial_backoff,
            max_retry_after=self.provider_max_retry_after,
            timeout=self.provider_timeouts.get(provider_id, self.provider_timeout),
        )
        return CallPolicy(retry=retry, max_concurrency=self.concurrency_limits().limit_for(provider_id))

    def budget_policies(self) -> BudgetPolicies:
        return BudgetPolicies.from_maps(self.provider_rpm, self.provider_tpm, self.provider_rpm_limits,
                                        self.provider_tpm_limits)

    def concurrency_limits(self) -> ConcurrencyLimits:
        return ConcurrencyLimits(self.provider_concurrency, dict(self.provider_concurrency_limits))


class ExplicitSourcesOnly(BaseSettings):
    """Mixin: read only the values passed in (no environment, no .env)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def by_alias(cls: type[BaseSettings], values: dict[str, Any]) -> dict[str, Any]:
    """Field-name keyed values re-keyed by their environment aliases (settings read aliases only)."""
    unknown = values.keys() - cls.model_fields.keys()
    if unknown:
        raise TypeError(f"unknown {cls.__name__} fields: {sorted(unknown)}")
    aliases = {name: field.validation_alias for name, field in cls.model_fields.items()}
    aliases = {name: a.choices[0] if isinstance(a, AliasChoices) else a for name, a in aliases.items()}
    return {a if isinstance(a := aliases[name], str) else name: value for name, value in values.items()}


class _ExplicitProviderSettings(ExplicitSourcesOnly, ProviderSettings):
    pass
