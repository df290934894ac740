"""Long-lived dependencies an executor may use, handed to it through its NodeContext.

The server builds one Services at start-up (`Services.from_env`); tests and benchmarks
build their own (`Services.from_settings(ProviderSettings.explicit(...))`). New node families
add a field here rather than reaching for globals. Build it through `from_settings` so the
redactor knows every configured key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from execution.aptos.client import AptosClient
from execution.custom_script.client import ScriptClient
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
from execution.sandbox.sandbox import CodeSandbox


@dataclass(frozen=True, slots=True)
class Services:
    redactor: SecretRedactor = field(default_factory=SecretRedactor)
    # Keys, base URLs and call policies of every provider (LLM and image).
    provider_settings: ProviderSettings = field(default_factory=ProviderSettings.explicit)
    # Text providers by id; the default knows the table but holds no keys.
    llm: LlmProviders = field(default_factory=LlmProviders.unconfigured)
    # Image processing (Pillow, off the loop) and image vendors; the default holds no keys.
    images: ImageServices = field(default_factory=ImageServices)
    # User code (custom_code nodes) behind bubblewrap; the default is off.
    sandbox: CodeSandbox = field(default_factory=CodeSandbox.disabled)
    # An Aptos fullnode's REST API (aptos_* nodes); the default names no node.
    aptos: AptosClient = field(default_factory=AptosClient)
    # custom_script's calls to allow-listed endpoints; the default allows none (the node is off).
    custom_script: ScriptClient = field(default_factory=ScriptClient)
    # Budgets per user × provider that chat calls spend (execution.ratelimit), and how long a
    # node may wait for one. One process: InProcessBudgets; the server swaps in PostgresBudgets
    # when its store is shared (server.main.with_budgets, execution.ratelimit.choice).
    budgets: ProviderBudgets = UNLIMITED
    max_budget_wait: float = DEFAULT_MAX_WAIT
    # What `task:NAME` models resolve to, per execution mode, and the server's default mode.
    model_tasks: ModelTasks = field(default_factory=default_model_tasks)
    # The configs `pipeline` nodes run (seed 002); the default holds the shipped examples.
    pipelines: PipelineLibrary = field(default_factory=PipelineLibrary.examples)

    @classmethod
    def from_env(cls) -> Services:
        """Services configured from the process environment (API keys, base URLs, limits, the task
        table, the pipeline library, the code sandbox, Aptos, custom_script's allow-list).
        ConfigurationError (naming file or variable, and field) when the task table, the pipeline
        library or custom_script's settings are unusable: the server must not start."""
        tasks = TaskSettings().model_tasks_table()
        return cls.from_settings(ProviderSettings(), ImageProviderSettings(), model_tasks=tasks,
                                 pipelines=PipelineSettings().library(tasks), sandbox=CodeSandbox.from_env(),
                                 aptos=AptosClient.from_env(), custom_script=ScriptClient.from_env())

    @classmethod
    def from_settings(cls, settings: ProviderSettings,
                      image_settings: ImageProviderSettings | None = None, *,
                      model_tasks: ModelTasks | None = None, pipelines: PipelineLibrary | None = None,
                      sandbox: CodeSandbox | None = None, aptos: AptosClient | None = None,
                      custom_script: ScriptClient | None = None) -> Services:
        aptos = aptos or AptosClient()
        custom_script = custom_script or ScriptClient()
        script_token = [custom_script.policy.token] if custom_script.policy.token else []
        policies = settings.budget_policies()
        return cls(
            redactor=SecretRedactor([*settings.secrets(), *aptos.settings.secrets(), *script_token]),
            provider_settings=settings,
            llm=LlmProviders.from_settings(settings),
            images=ImageServices.from_settings(settings, image_settings or ImageProviderSettings.explicit()),
            sandbox=sandbox or CodeSandbox.disabled(),
            aptos=aptos,
            custom_script=custom_script,
            budgets=InProcessBudgets(policies) if policies.active else UNLIMITED,
            max_budget_wait=settings.rate_limit_max_wait,
            model_tasks=model_tasks or default_model_tasks(),
            pipelines=pipelines or PipelineLibrary.examples(),
        )

    async def start(self) -> None:
        """What must work before the server takes calls: custom code's sandbox, when it is on
        (SandboxUnavailable says why it cannot be)."""
        await self.sandbox.start()

    async def aclose(self) -> None:
        """Release provider clients (connection pools); call once at shutdown."""
        await self.llm.aclose()
        await self.images.aclose()
        await self.sandbox.aclose()
        await self.aptos.aclose()
        await self.custom_script.aclose()
