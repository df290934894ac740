"""Element schemas: seed 004's `input_schema` / `output_schema` as ports, and values checked
against them.

A schema maps a value's name to what is expected of it:
`{"prompt": {"type": "string", "required": true, "description": "…"}}`. Its names become the
element's VALUE ports (a required input fails the node when no edge delivers it: the scheduler
checks `Port.required`). `type` is one of JSON Schema's simple types (string, number, integer,
boolean, object, array, null); a value of another type fails the node, naming it. An unknown
or missing type accepts anything.

Shared by start/end and by the other element families (llm_text's placeholders, …).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from execution.errors import InvalidNodeInput
from execution.nodes.ports import PortSet, value_port
from execution.quoting import quote


class FieldSchema(BaseModel):
    """What a schema expects of one named value."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: str = ""
    required: bool = False
    description: str = ""


def _schema(value: Any) -> Any:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError("must be an object mapping each name to {type, required, description}")
    for name, field in value.items():
        if not name:
            raise ValueError("has an empty name")
        if field is not None and not isinstance(field, Mapping):
            raise ValueError(f"entry {name!r} must be an object ({{type, required, description}})")
    return {name: field or {} for name, field in value.items()}


# A schema setting: name → FieldSchema; absent or null is empty.
ValueSchema = Annotated[dict[str, FieldSchema], BeforeValidator(_schema)]


def schema_ports(schema: Mapping[str, FieldSchema], *, required: bool = True) -> PortSet:
    """The schema's names as VALUE ports (`required` as declared, unless `required=False`);
    an empty schema accepts any name."""
    if not schema:
        return _OPEN
    return _port_set(tuple((name, required and field.required, port_description(field))
                           for name, field in schema.items()))


def port_description(field: FieldSchema) -> str:
    """What the port of a schema's field carries: its description, else its type."""
    if field.description:
        return field.description
    return f"{_article(field.type)} value" if field.type else "a value of any type"


_OPEN = PortSet(open=True)


@functools.lru_cache(maxsize=256)  # a flow's nodes are wired again each run
def _port_set(ports: tuple[tuple[str, bool, str], ...]) -> PortSet:
    return PortSet(tuple(value_port(name, required=required, description=description)
                         for name, required, description in ports))


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def type_problem(name: str, value: Any, field: FieldSchema) -> str | None:
    """Why `value` does not fit `field`'s type, or None."""
    expected = field.type.strip().lower()
    if value is None:
        return None if expected in ("", "null") or not field.required else f"{quote(name)} is null"
    kinds = _TYPES.get(expected)
    if kinds is None:
        return None
    fits = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if fits and expected == "integer":
        fits = float(value).is_integer()
    return None if fits else f"{quote(name)} must be {_article(expected)}, not {_kind(value)}"


def check_values(values: Mapping[str, Any], schema: Mapping[str, FieldSchema], what: str) -> None:
    """InvalidNodeInput naming the first required value missing or value of the wrong type."""
    for name, field in schema.items():
        if name not in values:
            if field.required:
                raise InvalidNodeInput(f"{what} {quote(name)} is required but has no value")
            continue
        problem = type_problem(name, values[name], field)
        if problem is not None:
            raise InvalidNodeInput(f"{what} {problem}")


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[0] in "aeiou" else f"a {type_name}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
