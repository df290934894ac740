"""Settings of task-based model selection, from the environment (or `.env`):

- FLOWEXEC_EXECUTION_MODE (`eco`, the default, or `fast`): the mode of a run whose request and
  node name none;
- FLOWEXEC_MODEL_TASKS: a JSON object of task rows merged over the shipped table field by
  field, e.g. `{"translation": {"fast": "openrouter/deepseek/deepseek-chat"}}`, or a new task
  `{"poetry": {"eco": "local/gemma3:12b", "fast": "openrouter/x/y"}}`.

Both are checked at start-up (`model_tasks()`): a bad value is a ConfigurationError naming the
variable and the field, and the server does not start.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from execution.config_error import ConfigurationError
from execution.model_tasks.mode import ExecutionMode
from execution.model_tasks.table import ModelTasks, TaskTable
from execution.providers.settings import ExplicitSourcesOnly


class TaskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FLOWEXEC_", env_file=".env", extra="ignore", env_ignore_empty=True)

    execution_mode: str = Field("eco", description="Mode of runs that name none: eco (local, Ollama) or fast "
                                                   "(cloud, OpenRouter).")
    model_tasks: str = Field("", description="JSON object of task rows merged over the shipped task table.")

    @classmethod
    def explicit(cls, **values: Any) -> TaskSettings:
        """Settings from these values and the defaults only: no environment, no .env."""
        return _ExplicitTaskSettings(**values)

    def model_tasks_table(self) -> ModelTasks:
        """The task table and default mode these settings describe; ConfigurationError otherwise."""
        try:
            mode = ExecutionMode.parse(self.execution_mode)
        except ValueError as exc:
            raise ConfigurationError("model tasks", [f"FLOWEXEC_EXECUTION_MODE: {exc}"]) from None
        overrides = None
        if self.model_tasks.strip():
            try:
                overrides = json.loads(self.model_tasks)
            except ValueError as exc:
                raise ConfigurationError("model tasks", [f"FLOWEXEC_MODEL_TASKS: not JSON: {exc}"]) from None
        return ModelTasks(TaskTable.default(overrides), mode)


class _ExplicitTaskSettings(ExplicitSourcesOnly, TaskSettings):
    pass
