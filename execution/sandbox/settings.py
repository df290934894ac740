"""Custom-code settings from the environment (or `.env`), and the policy they make.

The three names the seed's deployments already set keep their unprefixed spelling
(ALLOW_CUSTOM_CODE, CUSTOM_CODE_MAX_MEMORY_MB, CUSTOM_CODE_MAX_CPU_SECONDS); the rest are
FLOWEXEC_CUSTOM_CODE_*. `SandboxSettings.explicit(...)` reads only the values given (tests).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PositiveFloat, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.providers.settings import ExplicitSourcesOnly, by_alias
from execution.sandbox.policy import MIB, SandboxPolicy


def _env(name: str, default: Any, description: str) -> Any:
    return Field(default, validation_alias=name, description=description)


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    allow_custom_code: bool = _env("ALLOW_CUSTOM_CODE", False,
                                   "Run custom_code nodes (in the bubblewrap sandbox); off by default.")
    max_memory_mb: PositiveInt = _env("CUSTOM_CODE_MAX_MEMORY_MB", 100, "Address space of one run of user code (MB).")
    max_cpu_seconds: PositiveInt = _env("CUSTOM_CODE_MAX_CPU_SECONDS", 10, "CPU seconds of one run of user code.")
    timeout_seconds: PositiveFloat = _env("FLOWEXEC_CUSTOM_CODE_TIMEOUT_SECONDS", 15.0,
                                          "Wall-clock seconds of one run of user code.")
    max_output_bytes: PositiveInt = _env("FLOWEXEC_CUSTOM_CODE_MAX_OUTPUT_BYTES", 1 * MIB,
                                         "Bytes user code may print, and bytes of its JSON result.")
    max_processes: PositiveInt = _env("FLOWEXEC_CUSTOM_CODE_MAX_PROCESSES", 16,
                                      "Processes and threads inside one sandbox.")
    tmp_mb: PositiveInt = _env("FLOWEXEC_CUSTOM_CODE_TMP_MB", 16, "Size of the sandbox's private /tmp (MB).")
    warm_workers: int = Field(2, ge=0, validation_alias="FLOWEXEC_CUSTOM_CODE_WARM_WORKERS",
                              description="Sandboxes started ahead of need (each used once); 0: start one per run.")
    max_concurrency: PositiveInt = _env("FLOWEXEC_CUSTOM_CODE_CONCURRENCY", 4,
                                        "Sandboxes running user code at once (whole process); more wait.")
    bwrap: str = _env("FLOWEXEC_BWRAP", "bwrap", "The bubblewrap binary (a name on PATH or a path).")
    python: str = _env("FLOWEXEC_CUSTOM_CODE_PYTHON", "",
                       "Interpreter inside the sandbox; empty: this server's own if the sandbox user can "
                       "read it, else /usr/bin/python3.")

    @classmethod
    def explicit(cls, **values: Any) -> SandboxSettings:
        """Settings from these values (by field name) and the defaults only: no environment, no .env."""
        return _ExplicitSandboxSettings(**by_alias(cls, values))

    def policy(self) -> SandboxPolicy:
        return SandboxPolicy(
            memory_mb=self.max_memory_mb,
            cpu_seconds=self.max_cpu_seconds,
            wall_seconds=self.timeout_seconds,
            max_output_bytes=self.max_output_bytes,
            max_processes=self.max_processes,
            tmp_bytes=self.tmp_mb * MIB,
        )


class _ExplicitSandboxSettings(ExplicitSourcesOnly, SandboxSettings):
    pass
