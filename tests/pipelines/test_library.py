"""Loading the pipeline library: the shipped examples, an operator's directory over them, and
every kind of bad file refused with its file and field named (the server then refuses to start:
tests/pipelines/test_startup.py). The Task instruction follows the seed's priority."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from execution.config_error import ConfigurationError
from execution.model_tasks.table import default_model_tasks
from execution.pipelines.library import EXAMPLES_DIR, PipelineLibrary
from execution.pipelines.settings import PipelineSettings
from execution.prompts.instruction_types import INSTRUCTION_TYPES
from tests.pipelines.library_files import config, llm_chunk, write_library

TASKS = default_model_tasks()
MANIPULATE = llm_chunk("Task:\n{{TASK_INSTRUCTION}}\n\nContext:\n{{CONTEXT}}\n\nPrompt:\n{{INPUT_TEXT}}")


def load(root: Path) -> PipelineLibrary:
    return PipelineLibrary.load([root], TASKS)


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigurationError) as caught:
        load(root)
    return list(caught.value.problems)


def test_the_shipped_examples_load() -> None:
    library = PipelineLibrary.examples()
    assert {"dadaism", "bauhaus", "dadaism_french", "passthrough"} <= set(library.config_ids)
    dada = library.resolve("dadaism")
    assert dada.config.localized_name("de") == "Dadaismus" and dada.config.localized_name("fr") == "Dadaism"
    assert [c.chunk_id for c in dada.chunks] == ["manipulate"]
    assert PipelineSettings.explicit().directories() == [EXAMPLES_DIR]


def test_an_operators_directory_adds_configs_and_replaces_examples(tmp_path: Path) -> None:
    write_library(tmp_path, configs={"dadaism": config("text_transformation", context="Merz!"),
                                     "mine": config("text_transformation")})
    library = PipelineSettings.explicit(pipelines_dir=str(tmp_path)).library(TASKS)
    assert library.resolve("dadaism").config.context == "Merz!"
    assert library.resolve("mine").pipeline.pipeline_id == "text_transformation"
    alone = PipelineSettings.explicit(pipelines_dir=str(tmp_path), pipeline_examples=False)
    with pytest.raises(ConfigurationError, match="unknown pipeline 'text_transformation'"):
        alone.library(TASKS)


@pytest.mark.parametrize(("files", "expected"), [
    ({"configs": {"dada": config(parameters={"temperature": 3})}},
     "configs/dada.json: parameters.temperature: 3 is greater than the maximum of 2"),
    ({"configs": {"dada": config(parameters={"temprature": 0.5})}},
     "configs/dada.json: parameters: Additional properties are not allowed ('temprature' was unexpected)"),
    ({"configs": {"dada": config(pipline="moody")}},
     "configs/dada.json: (top): Additional properties are not allowed ('pipline' was unexpected)"),
    ({"pipelines": {"moody": {"chunks": ["manipulate"], "instructions": "passthrough"}}},
     "pipelines/moody.json: (top): Additional properties are not allowed ('instructions' was unexpected)"),
    ({"chunks": {"manipulate": llm_chunk("x", temperature=0.2)}},
     "chunks/manipulate.json: (top): Additional properties are not allowed ('temperature' was unexpected)"),
    ({"configs": {"dada": {k: v for k, v in config().items() if k != "context"}}},
     "configs/dada.json: (top): 'context' is a required property"),
    ({"configs": {"dada": config(name={"en": ""})}}, "configs/dada.json: name.en: '' should be non-empty"),
    ({"configs": {"dada": config(instruction_type="surreal")}}, "configs/dada.json: instruction_type: 'surreal' is not one of"),
    ({"configs": {"dada": config("nowhere")}}, "configs/dada.json: pipeline: unknown pipeline 'nowhere'"),
    ({"configs": {"dada": "{\"pipeline\": "}}, "configs/dada.json: not JSON: line 1 column 14"),
    ({"pipelines": {"moody": {"chunks": ["manipulate", "missing"]}}},
     "pipelines/moody.json: chunks[1]: unknown chunk 'missing'"),
    ({"pipelines": {"moody": {"chunks": []}}}, "pipelines/moody.json: chunks: [] should be non-empty"),
    ({"pipelines": {"moody": {"name": "other", "chunks": ["manipulate"]}}},
     "pipelines/moody.json: name: 'other' differs from the file's id 'moody'"),
    ({"pipelines": {"moody": {"chunks": ["manipulate"], "config_mappings": {"INPUT_TEXT": "meta.x"}}}},
     "pipelines/moody.json: config_mappings.INPUT_TEXT: {{INPUT_TEXT}} is a built-in placeholder"),
    ({"configs": {"dada": config("moody")},
      "pipelines": {"moody": {"chunks": ["manipulate"], "config_mappings": {"STYLE": "meta.style"}}}},
     "configs/dada.json: meta.style: pipeline 'moody' fills {{STYLE}} from it, but this config does not have it"),
    ({"chunks": {"manipulate": llm_chunk("x", model="task:poetry")}},
     "chunks/manipulate.json: model: unknown task 'poetry'"),
    ({"chunks": {"manipulate": llm_chunk("x", backend_type="skynet")}},
     "chunks/manipulate.json: backend_type: 'skynet' is not one of"),
    ({"chunks": {"manipulate": {"backend_type": "ollama", "model": "llama3.2"}}},
     "chunks/manipulate.json: (top): 'template' is a required property"),
    ({"chunks": {"render": {"backend_type": "comfyui", "workflow": {"1": {"inputs": {}}},
                            "output_mapping": {"node_id": "1"}}}},
     "chunks/render.json: workflow.1: 'class_type' is a required property"),
    ({"pipelines": {"moody": {"chunks": ["render", "manipulate"]}},
      "chunks": {"render": {"backend_type": "comfyui", "workflow": {"1": {"class_type": "SaveImage", "inputs": {}}},
                            "output_mapping": {"node_id": "1"}}}},
     "pipelines/moody.json: chunks[0]: output chunk 'render' renders media and must be the last"),
])
def test_a_bad_file_is_named_with_its_field(tmp_path: Path, files: dict[str, Any], expected: str) -> None:
    base: dict[str, dict[str, Any]] = {"configs": {"good": config("moody")},
                                       "pipelines": {"moody": {"chunks": ["manipulate"]}},
                                       "chunks": {"manipulate": MANIPULATE}}
    for kind, items in files.items():
        base[kind] = {**base[kind], **items}
    found = problems(write_library(tmp_path, **base))
    assert any(p.startswith(f"{tmp_path}/{expected}") for p in found), found


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    write_library(tmp_path, configs={"a": config("nowhere"), "b": config(parameters={"max_tokens": 0})},
                  pipelines={"moody": {"chunks": ["ghost"]}})
    found = problems(tmp_path)
    assert len(found) == 3, found
    assert str(ConfigurationError("pipeline library", found)).count("pipeline library: ") == 3


def test_a_missing_directory_is_a_problem(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: not a directory (FLOWEXEC_PIPELINES_DIR)"]


@pytest.mark.parametrize(("config_fields", "pipeline_type", "expected"), [
    ({"task_instruction": "Do it my way", "instruction_type": "passthrough"}, "passthrough", "Do it my way"),
    ({"instruction_type": "passthrough"}, "artistic_transformation", INSTRUCTION_TYPES["passthrough"].text),
    ({}, "passthrough", INSTRUCTION_TYPES["passthrough"].text),
    ({}, None, INSTRUCTION_TYPES["artistic_transformation"].text),
])
def test_the_task_instruction_by_priority(tmp_path: Path, config_fields: dict[str, str], pipeline_type: str | None,
                                          expected: str) -> None:
    pipeline: dict[str, Any] = {"chunks": ["manipulate"]}
    if pipeline_type:
        pipeline["instruction_type"] = pipeline_type
    write_library(tmp_path, configs={"c": config(**config_fields)}, pipelines={"moody": pipeline},
                  chunks={"manipulate": MANIPULATE})
    assert load(tmp_path).resolve("c").task_instruction == expected
