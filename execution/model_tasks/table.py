"""The task table: task → the model that serves it in each execution mode, as data.

Rows come from `default_tasks.json` (seed 002's table); FLOWEXEC_MODEL_TASKS (a JSON object of
rows) overrides them field by field and may add tasks. A model is written `<provider>/<model>`:
`local/llava:13b` (local = Ollama), `openrouter/google/gemma-3-4b-it`, or any provider id of the
catalogue (`mistral/ministral-14b-2512`). A row marked `always_local` (security, vision: privacy)
must name a local provider in *both* modes — the table is refused at start-up otherwise — so
such a task never leaves the machine, whatever the mode.

A model field names a task as `task:<name>`: ModelTasks.resolve turns it into a ModelChoice.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from execution.config_error import ConfigurationError
from execution.model_resolution import ModelChoice
from execution.model_tasks.mode import ExecutionMode
from execution.providers.catalog import LLM_PROVIDERS
from execution.schema_check import SchemaCheck

TASK_PREFIX = "task:"
# Providers that run on this machine (or the operator's own network): the only ones an
# always-local task may use. `local/…` is written for Ollama, as in the seed.
LOCAL_PROVIDERS = frozenset({"ollama"})
_ALIASES = {"local": "ollama"}

_MODEL_REF = {"type": "string", "pattern": r"^[A-Za-z0-9_-]+/\S+$",
              "description": "<provider>/<model>, e.g. local/mistral-nemo or openrouter/mistralai/mistral-nemo"}
_ROW = {
    "type": "object",
    "properties": {
        "eco": _MODEL_REF,
        "fast": _MODEL_REF,
        "always_local": {"type": "boolean"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
}
_TABLE = SchemaCheck({
    "type": "object",
    "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
    "additionalProperties": {**_ROW, "required": ["eco", "fast"]},
})
_OVERRIDES = SchemaCheck({"type": "object", "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*$"},
                          "additionalProperties": _ROW})


@dataclass(frozen=True, slots=True)
class TaskRow:
    name: str
    eco: ModelChoice
    fast: ModelChoice
    always_local: bool = False
    description: str = ""

    def choice(self, mode: ExecutionMode) -> ModelChoice:
        return self.eco if mode is ExecutionMode.ECO else self.fast


def parse_model_ref(ref: str) -> ModelChoice:
    """`local/llava:13b` → (ollama, llava:13b); `openrouter/a/b` → (openrouter, a/b)."""
    provider, _, model = ref.partition("/")
    return ModelChoice(_ALIASES.get(provider, provider), model)


class TaskTable:
    def __init__(self, rows: Mapping[str, TaskRow]) -> None:
        self._rows = dict(rows)

    @classmethod
    def from_data(cls, data: Any, *, source: str, overrides: Any = None,
                  overrides_source: str = "FLOWEXEC_MODEL_TASKS") -> TaskTable:
        """The table from its JSON form, `overrides` merged in field by field; ConfigurationError
        naming the source and field of every problem."""
        problems = [f"{source}: {p}" for p in _TABLE.problems(data)]
        if overrides is not None:
            problems += [f"{overrides_source}: {p}" for p in _OVERRIDES.problems(overrides)]
        if problems:
            raise ConfigurationError("model tasks", problems)
        merged: dict[str, dict[str, Any]] = {name: dict(row) for name, row in data.items()}
        for name, row in (overrides or {}).items():
            merged[name] = {**merged.get(name, {}), **row}
        known = {spec.provider_id for spec in LLM_PROVIDERS}
        rows: dict[str, TaskRow] = {}
        for name, row in merged.items():
            where = f"{overrides_source if name in (overrides or {}) else source}: {name}"
            if "eco" not in row or "fast" not in row:
                problems.append(f"{where}: a new task needs both 'eco' and 'fast'")
                continue
            eco, fast = parse_model_ref(row["eco"]), parse_model_ref(row["fast"])
            for mode, choice in (("eco", eco), ("fast", fast)):
                if choice.provider_id not in known:
                    problems.append(f"{where}.{mode}: unknown provider '{choice.provider_id}' in '{row[mode]}' "
                                    f"(known: local, {', '.join(sorted(known))})")
                elif row.get("always_local") and choice.provider_id not in LOCAL_PROVIDERS:
                    problems.append(f"{where}.{mode}: '{name}' is always local, but '{row[mode]}' leaves the "
                                    f"machine (local providers: local, {', '.join(sorted(LOCAL_PROVIDERS))})")
            rows[name] = TaskRow(name, eco, fast, bool(row.get("always_local")), str(row.get("description", "")))
        if problems:
            raise ConfigurationError("model tasks", problems)
        return cls(rows)

    @classmethod
    def default(cls, overrides: Any = None) -> TaskTable:
        """The shipped table (seed 002), with `overrides` (FLOWEXEC_MODEL_TASKS) merged in."""
        text = resources.files(__package__).joinpath("default_tasks.json").read_text(encoding="utf-8")
        return cls.from_data(json.loads(text), source="default_tasks.json", overrides=overrides)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._rows)

    def row(self, name: str) -> TaskRow:
        row = self._rows.get(name)
        if row is None:
            raise ValueError(f"unknown task '{name}' (known: {', '.join(self._rows)})")
        return row


@dataclass(frozen=True, slots=True)
class ModelTasks:
    """The table and the server's default mode: what `task:NAME` resolves against."""

    table: TaskTable
    default_mode: ExecutionMode = ExecutionMode.ECO

    @staticmethod
    def names_task(model: str) -> bool:
        return model.startswith(TASK_PREFIX)

    def resolve(self, model: str, mode: ExecutionMode) -> ModelChoice:
        """`task:NAME` → the provider and model serving it in `mode`; ValueError naming an unknown task."""
        return self.table.row(model.removeprefix(TASK_PREFIX).strip()).choice(mode)


def default_model_tasks() -> ModelTasks:
    """The shipped table with the `eco` default (what a Services built without settings uses)."""
    return ModelTasks(_shipped_table())


@functools.cache
def _shipped_table() -> TaskTable:
    return TaskTable.default()  # read once per process: every default Services uses it
