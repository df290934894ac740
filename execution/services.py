"""Long-lived dependencies an executor may use, handed to it through its NodeContext.

The server builds one Services at start-up (`Services.from_env`); tests and benchmarks
build their own (`Services.from_settings(ProviderSettings.explicit(...))`). New node families
add a field here rather than reaching for globals. Build it through `from_settings` so the
redactor knows every configured key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.model_tasks.settings import TaskSettings
from execution.model_tasks.table import ModelTasks, default_model_tasks
from execution.pipelines.library import PipelineLibrary
from execution.pipelines.settings import PipelineSettings
from execution.providers.image_vendors.image_providers import ImageServices
from execution.providers.image_vendors.image_settings import ImageProviderSettings
from execution.providers.llm import LlmProviders
from execution.providers.settings import ProviderSettings
from execution.ratelimit.budget import UNLIMITED, ProviderBudgets
from execution.ratelimit.gate import DEFAULT_MAX_WAIT
from execution.ratelimit.in_process import InProcessBudgets
from execution.redaction import SecretRedactor


@dataclass(frozen=True, slots=True)
class Services:
    redactor: SecretRedactor = field(default_factory=SecretRedactor)
    # Keys, base URLs and call policies of every provider (LLM and image).
    provider_settings: ProviderSettings = field(default_factory=ProviderSettings.explicit)
    # Text providers by id; the default knows the table but holds no keys.
    llm: LlmProviders = field(default_factory=LlmProviders.unconfigured)
    # Image processing (Pillow, off the loop) and image vendors; the default holds no keys.
    images: ImageServices = field(default_factory=ImageServices)
    # Budgets per user × provider that chat calls spend (execution.ratelimit), and how long a
    # node may wait for one. One process: InProcessBudgets; several replicas need a shared one.
    budgets: ProviderBudgets = UNLIMITED
    max_budget_wait: float = DEFAULT_MAX_WAIT
    # What `task:NAME` models resolve to, per execution mode, and the server's default mode.
    model_tasks: ModelTasks = field(default_factory=default_model_tasks)
    # The configs `pipeline` nodes run (seed 002); the default holds the shipped examples.
    pipelines: PipelineLibrary = field(default_factory=PipelineLibrary.examples)

    @classmethod
    def from_env(cls) -> Services:
        """Services configured from the process environment (API keys, base URLs, limits, the task
        table, the pipeline library). ConfigurationError (naming file or variable, and field)
        when the task table or the pipeline library is unusable: the server must not start."""
        tasks = TaskSettings().model_tasks_table()
        return cls.from_settings(ProviderSettings(), ImageProviderSettings(), model_tasks=tasks,
                                 pipelines=PipelineSettings().library(tasks))

    @classmethod
    def from_settings(cls, settings: ProviderSettings,
                      image_settings: ImageProviderSettings | None = None, *,
                      model_tasks: ModelTasks | None = None, pipelines: PipelineLibrary | None = None) -> Services:
        policies = settings.budget_policies()
        return cls(
            redactor=SecretRedactor(settings.secrets()),
            provider_settings=settings,
            llm=LlmProviders.from_settings(settings),
            images=ImageServices.from_settings(settings, image_settings or ImageProviderSettings.explicit()),
            budgets=InProcessBudgets(policies) if policies.active else UNLIMITED,
            max_budget_wait=settings.rate_limit_max_wait,
            model_tasks=model_tasks or default_model_tasks(),
            pipelines=pipelines or PipelineLibrary.examples(),
        )

    async def aclose(self) -> None:
        """Release provider clients (connection pools); call once at shutdown."""
        await self.llm.aclose()
        await self.images.aclose()
