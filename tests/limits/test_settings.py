"""The limits' settings: budgets per provider from the environment (a default and JSON maps,
off unless set) and the per-user caps, into the policies the engine and the run manager read."""

from __future__ import annotations

import pytest

from execution.providers.settings import ProviderSettings
from execution.ratelimit.budget import UNLIMITED
from execution.ratelimit.in_process import InProcessBudgets
from execution.ratelimit.policy import BudgetPolicy
from execution.services import Services
from server.settings import ServerSettings


def test_budgets_are_off_unless_set() -> None:
    services = Services.from_settings(ProviderSettings.explicit())
    assert services.budgets is UNLIMITED and services.max_budget_wait == 120
    settings = ServerSettings(_env_file=None)
    assert (settings.run_policy().max_active_runs_per_owner, settings.limits().max_running_nodes_per_user) == (0, 0)


def test_budgets_and_caps_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWEXEC_PROVIDER_RPM", "30")
    monkeypatch.setenv("FLOWEXEC_PROVIDER_TPM", "60000")
    monkeypatch.setenv("FLOWEXEC_PROVIDER_RPM_LIMITS", '{"claude": 10}')
    monkeypatch.setenv("FLOWEXEC_PROVIDER_TPM_LIMITS", '{"ollama": 0}')
    monkeypatch.setenv("FLOWEXEC_RATE_LIMIT_MAX_WAIT", "45")
    monkeypatch.setenv("FLOWEXEC_MAX_ACTIVE_RUNS_PER_USER", "4")
    monkeypatch.setenv("FLOWEXEC_MAX_RUNNING_NODES_PER_USER", "12")
    settings = ProviderSettings(_env_file=None)
    policies = settings.budget_policies()
    assert policies.for_provider("mistral") == BudgetPolicy(30, 60000)
    assert policies.for_provider("claude") == BudgetPolicy(10, 60000)  # the other budget keeps the default
    assert policies.for_provider("ollama") == BudgetPolicy(30, 0)
    services = Services.from_settings(settings)
    assert isinstance(services.budgets, InProcessBudgets) and services.max_budget_wait == 45
    server = ServerSettings(_env_file=None)
    assert (server.run_policy().max_active_runs_per_owner, server.limits().max_running_nodes_per_user) == (4, 12)


def test_negative_budgets_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWEXEC_PROVIDER_RPM_LIMITS", '{"mistral": -1}')
    with pytest.raises(ValueError, match="FLOWEXEC_PROVIDER_RPM_LIMITS"):
        ProviderSettings(_env_file=None)
