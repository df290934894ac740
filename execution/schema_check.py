"""Checking JSON data against a JSON Schema (jsonschema, Draft 2020-12), with every problem
named by the path of its field (`chunks[1]`, `parameters.temperature`), for the data files the
server loads at start-up."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator


def field_path(parts: Iterable[str | int]) -> str:
    """`("chunks", 1, "model")` → `chunks[1].model`; the document itself is `(top)`."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top)"


class SchemaCheck:
    """One schema, checked once (a bad schema is a bug here, not a user's problem)."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        Draft202012Validator.check_schema(schema)
        self._validator = Draft202012Validator(schema)

    def problems(self, instance: Any) -> list[str]:
        """`field: message` for every violation, in document order."""
        errors = sorted(self._validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
        return [f"{field_path(e.absolute_path)}: {e.message}" for e in errors]
