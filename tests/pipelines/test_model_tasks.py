"""The task table: the seed's rows, settings that override them, and the checks that keep an
always-local task on the machine whatever an operator writes."""

from __future__ import annotations

import json

import pytest

from execution.config_error import ConfigurationError
from execution.model_resolution import ModelChoice
from execution.model_tasks.mode import ExecutionMode
from execution.model_tasks.settings import TaskSettings

ECO, FAST = ExecutionMode.ECO, ExecutionMode.FAST


def table(**settings: str):  # type: ignore[no-untyped-def]
    return TaskSettings.explicit(**settings).model_tasks_table()


@pytest.mark.parametrize(("task", "eco", "fast"), [
    ("security", ("ollama", "llama-guard-3-8b"), ("ollama", "llama-guard-3-8b")),
    ("vision", ("ollama", "llava:13b"), ("ollama", "llava:13b")),
    ("translation", ("ollama", "qwen2.5-translator"), ("openrouter", "anthropic/claude-3.5-haiku")),
    ("standard", ("ollama", "mistral-nemo"), ("openrouter", "mistralai/mistral-nemo")),
    ("advanced", ("ollama", "mistral-small:24b"), ("openrouter", "google/gemini-2.5-pro")),
    ("data_extraction", ("ollama", "gemma3:4b"), ("openrouter", "google/gemma-3-4b-it")),
])
def test_the_seeds_table(task: str, eco: tuple[str, str], fast: tuple[str, str]) -> None:
    tasks = table()
    assert tasks.resolve(f"task:{task}", ECO) == ModelChoice(*eco)
    assert tasks.resolve(f"task:{task}", FAST) == ModelChoice(*fast)
    assert tasks.default_mode is ECO


def test_settings_override_rows_field_by_field_and_add_tasks() -> None:
    tasks = table(execution_mode="fast", model_tasks=json.dumps({
        "translation": {"fast": "openrouter/deepseek/deepseek-chat"},
        "poetry": {"eco": "local/gemma3:12b", "fast": "mistral/mistral-large-latest"}}))
    assert tasks.default_mode is FAST
    assert tasks.resolve("task:translation", FAST) == ModelChoice("openrouter", "deepseek/deepseek-chat")
    assert tasks.resolve("task:translation", ECO) == ModelChoice("ollama", "qwen2.5-translator")  # kept
    assert tasks.resolve("task:poetry", FAST) == ModelChoice("mistral", "mistral-large-latest")


@pytest.mark.parametrize(("settings", "expected"), [
    ({"model_tasks": '{"vision": {"fast": "openrouter/openai/gpt-4o"}}'},
     "FLOWEXEC_MODEL_TASKS: vision.fast: 'vision' is always local, but 'openrouter/openai/gpt-4o' leaves the machine"),
    ({"model_tasks": '{"standard": {"always_local": true}}'},
     "FLOWEXEC_MODEL_TASKS: standard.fast: 'standard' is always local, but 'openrouter/mistralai/mistral-nemo' leaves"),
    ({"model_tasks": '{"standard": {"eco": "skynet/t-800"}}'},
     "FLOWEXEC_MODEL_TASKS: standard.eco: unknown provider 'skynet' in 'skynet/t-800'"),
    ({"model_tasks": '{"standard": {"eco": "mistral-nemo"}}'},
     "FLOWEXEC_MODEL_TASKS: standard.eco: 'mistral-nemo' does not match"),
    ({"model_tasks": '{"poetry": {"eco": "local/gemma3"}}'},
     "FLOWEXEC_MODEL_TASKS: poetry: a new task needs both 'eco' and 'fast'"),
    ({"model_tasks": '{"standard": '}, "FLOWEXEC_MODEL_TASKS: not JSON"),
    ({"execution_mode": "turbo"}, "FLOWEXEC_EXECUTION_MODE: must be \"eco\" or \"fast\", not 'turbo'"),
])
def test_bad_settings_are_refused_naming_variable_and_field(settings: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        table(**settings)
    assert any(p.startswith(expected) for p in caught.value.problems), caught.value.problems
