"""Pipeline libraries written to a temporary directory for a test: `write_library(tmp_path, configs=…,
pipelines=…, chunks=…)` writes one JSON file per item (id → data; a str is written as is)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_library(root: Path, *, configs: dict[str, Any] | None = None, pipelines: dict[str, Any] | None = None,
                  chunks: dict[str, Any] | None = None) -> Path:
    for kind, items in (("configs", configs), ("pipelines", pipelines), ("chunks", chunks)):
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        for item_id, data in (items or {}).items():
            text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=2)
            (folder / f"{item_id}.json").write_text(text, encoding="utf-8")
    return root


def config(pipeline: str = "moody", **fields: Any) -> dict[str, Any]:
    return {"pipeline": pipeline, "name": {"en": "Moody"}, "description": {"en": "A test config"},
            "context": "Paint it in the given mood.", **fields}


def llm_chunk(template: str, **fields: Any) -> dict[str, Any]:
    return {"backend_type": "ollama", "model": "task:standard", "template": template, **fields}
