"""PipelineLibrary: every config, pipeline and chunk the server knows, loaded from one or more
directories at start-up and checked whole before the server serves anything.

A directory holds `configs/`, `pipelines/` and `chunks/` (each optional), one JSON file per
item, its id the file name without `.json`. Directories are read in order; an item in a later
directory replaces the one of the same kind and id from an earlier one (logged), so an
operator's directory can override a shipped example.

Every problem — JSON that does not parse, a schema violation, a reference to a pipeline, chunk
or task that does not exist, a config mapping the config cannot fill, an output chunk that is
not last or whose mappings miss its workflow — is collected with its file and field, and
loading fails with one ConfigurationError listing them all: the server does not start with a
library it cannot fully run.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from execution.cache.canonical import digest
from execution.config_error import ConfigurationError
from execution.errors import InvalidNodeInput
from execution.model_tasks.table import TASK_PREFIX, ModelTasks, default_model_tasks
from execution.pipelines import schemas
from execution.pipelines.instructions import task_instruction
from execution.pipelines.model import Chunk, Config, Parameters, Pipeline, ResolvedPipeline
from execution.pipelines.placeholders import BUILT_IN
from execution.schema_check import SchemaCheck

log = logging.getLogger("flowexec.pipelines")

EXAMPLES_DIR = Path(__file__).parent / "examples"
_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class _Loaded:
    """What one kind of file gave: id → (path, data)."""

    items: dict[str, tuple[Path, dict[str, Any]]] = field(default_factory=dict)


class PipelineLibrary:
    def __init__(self, resolved: Mapping[str, ResolvedPipeline], sources: Sequence[Path] = ()) -> None:
        self._resolved = dict(resolved)
        self.sources = tuple(sources)

    @classmethod
    def load(cls, directories: Sequence[Path], tasks: ModelTasks) -> PipelineLibrary:
        """The library in `directories` (read in order); ConfigurationError naming every problem."""
        problems: list[str] = []
        kinds = {kind: _Loaded() for kind in ("configs", "pipelines", "chunks")}
        for directory in directories:
            if not directory.is_dir():
                problems.append(f"{directory}: not a directory (FLOWEXEC_PIPELINES_DIR)")
                continue
            for kind, loaded in kinds.items():
                _read_kind(directory / kind, _SCHEMAS[kind], loaded, problems)
        chunks = {cid: _chunk(cid, data) for cid, (_, data) in kinds["chunks"].items.items()}
        pipelines = {pid: _pipeline(pid, data) for pid, (_, data) in kinds["pipelines"].items.items()}
        configs = {cid: _config(cid, data) for cid, (_, data) in kinds["configs"].items.items()}
        for chunk_id, chunk in chunks.items():
            path = kinds["chunks"].items[chunk_id][0]
            if chunk.is_output:
                try:
                    chunk.output_chunk()  # its mappings against its workflow
                except InvalidNodeInput as exc:
                    problems.append(f"{path}: {exc.message}")
            if chunk.model.startswith(TASK_PREFIX):
                try:
                    tasks.table.row(chunk.model.removeprefix(TASK_PREFIX).strip())
                except ValueError as exc:
                    problems.append(f"{path}: model: {exc}")
        for pipeline_id, pipeline in pipelines.items():
            _check_pipeline(kinds["pipelines"].items[pipeline_id][0], pipeline, chunks, problems)
        resolved: dict[str, ResolvedPipeline] = {}
        for config_id, config in configs.items():
            path = kinds["configs"].items[config_id][0]
            chosen = pipelines.get(config.pipeline)
            if chosen is None:
                problems.append(f"{path}: pipeline: unknown pipeline '{config.pipeline}' "
                                f"(known: {', '.join(sorted(pipelines)) or 'none'})")
                continue
            mapped = _mapped(path, config, chosen, problems)
            if any(c not in chunks for c in chosen.chunks):
                continue  # already reported
            members = tuple(chunks[c] for c in chosen.chunks)
            resolved[config_id] = ResolvedPipeline(
                config=config, pipeline=chosen, chunks=members,
                task_instruction=task_instruction(config, chosen), mapped=mapped,
                digest=digest({"config": config.data, "pipeline": chosen.data,
                               "chunks": [c.data for c in members]}))
        if problems:
            raise ConfigurationError("pipeline library", problems)
        return cls(resolved, directories)

    @classmethod
    def examples(cls) -> PipelineLibrary:
        """The examples shipped in the package, against the shipped task table (read once)."""
        return _examples()

    @property
    def config_ids(self) -> tuple[str, ...]:
        return tuple(self._resolved)

    def resolve(self, config_id: str) -> ResolvedPipeline:
        """What config `config_id` runs; ValueError naming the known configs when there is none."""
        found = self._resolved.get(config_id)
        if found is None:
            raise ValueError(f"unknown config '{config_id}' (known: {', '.join(sorted(self._resolved)) or 'none'})")
        return found


@functools.cache
def _examples() -> PipelineLibrary:
    return PipelineLibrary.load([EXAMPLES_DIR], default_model_tasks())


_SCHEMAS = {"configs": schemas.CONFIG, "pipelines": schemas.PIPELINE, "chunks": schemas.CHUNK}


def _read_kind(folder: Path, schema: SchemaCheck, loaded: _Loaded, problems: list[str]) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        item_id = path.stem
        if not _ID.match(item_id):
            problems.append(f"{path}: the file name must be an id (letters, digits, '_' and '-')")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot be read: {exc}")
            continue
        except json.JSONDecodeError as exc:
            problems.append(f"{path}: not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}")
            continue
        found = schema.problems(data)
        if not found and isinstance(data.get("name"), str) and folder.name != "configs" and data["name"] != item_id:
            found.append(f"name: '{data['name']}' differs from the file's id '{item_id}'")
        if found:
            problems += [f"{path}: {p}" for p in found]
            continue
        if item_id in loaded.items:
            log.info("pipeline library: %s replaces %s", path, loaded.items[item_id][0])
        loaded.items[item_id] = (path, data)


def _chunk(chunk_id: str, data: dict[str, Any]) -> Chunk:
    return Chunk(chunk_id, data["backend_type"], data.get("template", ""), data.get("model", "").strip(),
                 Parameters.from_data(data.get("parameters", {})), data.get("description", ""), data)


def _pipeline(pipeline_id: str, data: dict[str, Any]) -> Pipeline:
    return Pipeline(pipeline_id, tuple(data["chunks"]), data.get("instruction_type"),
                    dict(data.get("config_mappings", {})), data.get("description", ""), data)


def _config(config_id: str, data: dict[str, Any]) -> Config:
    return Config(config_id, data["pipeline"], data["name"], data["description"], data["context"],
                  Parameters.from_data(data.get("parameters", {})), data.get("instruction_type"),
                  data.get("task_instruction"), data)


def _check_pipeline(path: Path, pipeline: Pipeline, chunks: Mapping[str, Chunk], problems: list[str]) -> None:
    last = len(pipeline.chunks) - 1
    for index, chunk_id in enumerate(pipeline.chunks):
        chunk = chunks.get(chunk_id)
        if chunk is None:
            problems.append(f"{path}: chunks[{index}]: unknown chunk '{chunk_id}' "
                            f"(known: {', '.join(sorted(chunks)) or 'none'})")
        elif chunk.is_output and index != last:
            problems.append(f"{path}: chunks[{index}]: output chunk '{chunk_id}' renders media and must be the last")
    for name in pipeline.config_mappings:
        if name in BUILT_IN:
            problems.append(f"{path}: config_mappings.{name}: {{{{{name}}}}} is a built-in placeholder")


def _mapped(path: Path, config: Config, pipeline: Pipeline, problems: list[str]) -> dict[str, str]:
    """The placeholders the pipeline's config mappings fill from this config (a mapping the
    config cannot fill is a problem: loading fails)."""
    values: dict[str, str] = {}
    for name, dotted in pipeline.config_mappings.items():
        value = _lookup(config.data, dotted.split("."))
        if value is None:
            problems.append(f"{path}: {dotted}: pipeline '{pipeline.pipeline_id}' fills {{{{{name}}}}} from it, "
                            "but this config does not have it")
        else:
            values[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return values


def _lookup(data: Any, parts: Iterable[str]) -> Any:
    for part in parts:
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data
