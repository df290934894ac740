"""An llm_structured element's `output_schema` as an OutputSchema, and the stand-in values a
dry run outputs in place of a reply.

`output_schema` is either a JSON Schema (its root `"type": "object"`), taken as it is, or seed
004's field map — `{name: {type, required, description, …}}` — which becomes the object schema
with those properties, `required` listing the fields marked so, and no other fields
(`additionalProperties: false`). A field's other keywords (`enum`, `items`, `minimum`, …) are
kept, so a field map can say as much as a schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from execution.errors import InvalidNodeInput
from execution.providers.output_schema import OutputSchema, schema_name


def is_json_schema(raw: Mapping[str, Any]) -> bool:
    return isinstance(raw.get("type"), str)


def field_map_schema(fields: Mapping[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in fields.items():
        if not isinstance(field, Mapping):
            raise InvalidNodeInput(f"output_schema entry {name!r} must be an object ({{type, required, description}})")
        properties[name] = {k: v for k, v in field.items() if k != "required"}
        if field.get("required") is True:
            required.append(name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def element_schema(raw: Mapping[str, Any], element_name: str = "") -> OutputSchema:
    """InvalidNodeInput when it is empty or not a usable schema."""
    if not raw:
        raise InvalidNodeInput("output_schema is empty: declare the fields the reply must have")
    schema = dict(raw) if is_json_schema(raw) else field_map_schema(raw)
    return OutputSchema(schema, name=schema_name(element_name))


def sample(schema: Any, name: str = "") -> Any:
    """A value of the schema's shape, to stand in for a reply under dry run."""
    if not isinstance(schema, Mapping):
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {key: sample(sub, key) for key, sub in props.items()}
    return {"string": f"[dry run: {name or 'text'}]", "integer": 0, "number": 0, "boolean": False,
            "array": []}.get(str(kind))
