"""Provider budgets as data: requests and tokens per minute that one user may send to one
provider, with a default for every provider and per-provider overrides. Zero means no limit.
The window is a minute in every setting; `interval` exists so tests can run a budget in a
second."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    # Requests per minute one user may send to the provider; 0 = no limit.
    requests_per_minute: int = 0
    # Tokens (input + output) per minute one user may spend at the provider; 0 = no limit.
    tokens_per_minute: int = 0
    # The window the two budgets are per, in seconds (a bucket holds one window's budget and
    # refills over the window).
    interval: float = 60.0

    @property
    def active(self) -> bool:
        return bool(self.requests_per_minute or self.tokens_per_minute)


@dataclass(frozen=True, slots=True)
class BudgetPolicies:
    default: BudgetPolicy = BudgetPolicy()
    by_provider: Mapping[str, BudgetPolicy] = field(default_factory=dict)

    def for_provider(self, provider_id: str) -> BudgetPolicy:
        return self.by_provider.get(provider_id, self.default)

    @property
    def active(self) -> bool:
        return self.default.active or any(p.active for p in self.by_provider.values())

    @classmethod
    def from_maps(cls, rpm: int, tpm: int, rpm_by_provider: Mapping[str, int],
                  tpm_by_provider: Mapping[str, int], *, interval: float = 60.0) -> BudgetPolicies:
        """Defaults plus per-provider maps; a provider named in one map keeps the default of the other."""
        named = set(rpm_by_provider) | set(tpm_by_provider)
        return cls(BudgetPolicy(rpm, tpm, interval), {
            pid: BudgetPolicy(rpm_by_provider.get(pid, rpm), tpm_by_provider.get(pid, tpm), interval)
            for pid in named
        })
