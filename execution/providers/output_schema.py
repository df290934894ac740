"""OutputSchema: the JSON schema a structured chat must answer with — checked once when it is
built, then used to read and validate each reply (jsonschema, Draft 2020-12).

The root must describe a JSON object: both native mechanisms need one (OpenAI's json_schema
response format, Anthropic's tool input_schema), and a structured node's outputs are the
object's fields. A reply is read leniently — a Markdown code fence or prose around the object
is dropped — since models without native support (StructuredOutput.INSTRUCT) often add them;
what is left must parse and validate, or SchemaViolation says where it fails (the first error
by jsonschema's relevance order, with its JSON path).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from execution.errors import InvalidNodeInput

# What OpenAI tool and response-format names, and Anthropic tool names, may be.
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")
DEFAULT_NAME = "structured_output"
# How much of a violation's message (which quotes the offending value) is kept.
MAX_VIOLATION = 300


class SchemaViolation(Exception):
    """A reply that is not JSON, or not an object that fits the schema; str() says where."""


def schema_name(text: str) -> str:
    """`text` as a valid schema/tool name: unsafe characters become `_`, cut to 64."""
    name = _NAME_UNSAFE.sub("_", text).strip("_")[:64]
    return name or DEFAULT_NAME


@dataclass(frozen=True, slots=True)
class OutputSchema:
    schema: Mapping[str, Any]
    # Names the tool (Anthropic) or the response format (OpenAI): ^[a-zA-Z0-9_-]{1,64}$.
    name: str = DEFAULT_NAME
    description: str = "Record the answer in this exact structure."
    _validator: Any = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        import jsonschema  # with the first schema: a server without structured nodes never loads it

        if not _NAME.fullmatch(self.name):
            raise InvalidNodeInput(f"output schema name {self.name!r} must match [a-zA-Z0-9_-]{{1,64}}")
        if not isinstance(self.schema, Mapping):
            raise InvalidNodeInput("the output schema must be a JSON object")
        try:
            jsonschema.Draft202012Validator.check_schema(self.schema)
        except jsonschema.SchemaError as err:
            where = "".join(f"[{p!r}]" for p in err.absolute_path)
            raise InvalidNodeInput(f"the output schema is not a valid JSON Schema{' at ' + where if where else ''}: "
                                   f"{_cut(err.message)}") from None
        if self.schema.get("type") != "object":
            raise InvalidNodeInput('the output schema must describe an object (its root needs "type": "object")')
        object.__setattr__(self, "_validator", jsonschema.Draft202012Validator(self.schema))

    @property
    def properties(self) -> tuple[str, ...]:
        """The object's declared fields, in schema order."""
        props = self.schema.get("properties")
        return tuple(props) if isinstance(props, Mapping) else ()

    @property
    def strict_compatible(self) -> bool:
        """True when OpenAI's strict mode takes this schema as it is: every object closed
        (`additionalProperties: false`) with all of its properties required."""
        return _strict(self.schema)

    def validate(self, value: Any) -> None:
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(value))
        if error is not None:
            raise SchemaViolation(f"{error.json_path}: {_cut(error.message)}")

    def read_reply(self, text: str) -> dict[str, Any]:
        """The reply's object, validated. SchemaViolation when it is not one that fits."""
        value = _parse_json_object(text)
        self.validate(value)
        return value


def _parse_json_object(text: str) -> dict[str, Any]:
    stripped = text.strip()
    fenced = re.fullmatch(r"```[a-zA-Z]*\s*(.*?)\s*```", stripped, re.DOTALL)
    if fenced:
        stripped = fenced.group(1)
    try:
        value = json.loads(stripped)
    except ValueError:
        start, end = stripped.find("{"), stripped.rfind("}")
        try:
            value = json.loads(stripped[start:end + 1]) if 0 <= start < end else None
        except ValueError:
            value = None
        if value is None:
            raise SchemaViolation(f"$: the reply is not JSON: {_cut(text)!r}") from None
    if not isinstance(value, dict):
        raise SchemaViolation(f"$: the reply is a JSON {type(value).__name__}, not an object")
    return value


def _strict(node: Any) -> bool:
    if not isinstance(node, Mapping):
        return True
    props = node.get("properties")
    props = props if isinstance(props, Mapping) else {}
    closed = node.get("additionalProperties") is False and set(node.get("required", ())) == set(props)
    if (node.get("type") == "object" or props) and not closed:
        return False
    children: list[Any] = [*props.values(), node.get("items"), node.get("not")]
    for key in ("prefixItems", "anyOf", "oneOf", "allOf"):
        children += node.get(key) or []
    for key in ("$defs", "definitions"):
        children += (node.get(key) or {}).values()
    return all(_strict(child) for child in children)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VIOLATION else text[: MAX_VIOLATION - 1] + "…"
