"""Where the pipeline library is read from, from the environment (or `.env`):

- FLOWEXEC_PIPELINES_DIR: one or more directories (separated by `:`; `;` on Windows) holding
  `configs/`, `pipelines/` and `chunks/`; read after the examples, so an item of the same
  kind and id replaces the example's;
- FLOWEXEC_PIPELINE_EXAMPLES (true): load the examples shipped in the package first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.model_tasks.table import ModelTasks
from execution.pipelines.library import EXAMPLES_DIR, PipelineLibrary
from execution.providers.settings import ExplicitSourcesOnly


class PipelineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOWEXEC_", env_file=".env", extra="ignore", env_ignore_empty=True)

    pipelines_dir: str = Field("", description="Directories of configs/, pipelines/ and chunks/ (os.pathsep-separated).")
    pipeline_examples: bool = Field(True, description="Load the example configs shipped in the package first.")

    @classmethod
    def explicit(cls, **values: Any) -> PipelineSettings:
        """Settings from these values and the defaults only: no environment, no .env."""
        return _ExplicitPipelineSettings(**values)

    def directories(self) -> list[Path]:
        own = [Path(part).expanduser() for part in self.pipelines_dir.split(os.pathsep) if part.strip()]
        return [EXAMPLES_DIR, *own] if self.pipeline_examples else own

    def library(self, tasks: ModelTasks) -> PipelineLibrary:
        """The library these settings name, checked against `tasks`; ConfigurationError otherwise."""
        return PipelineLibrary.load(self.directories(), tasks)


class _ExplicitPipelineSettings(ExplicitSourcesOnly, PipelineSettings):
    pass
