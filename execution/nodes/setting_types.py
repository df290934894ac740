"""Settings records: what a node type reads from its `data`, parsed once into a typed record.

Each node type declares a `NodeSettings` subclass (pydantic, frozen) whose fields carry the
editor's camelCase names as aliases. `parse_settings` turns a node's `data` into that record,
or raises InvalidSettings naming the setting ("'width' must be …"). Keys a record does not
declare are ignored: the editor stores layout and UI state in `data` too.

The field types here keep the editor's contract where it is lenient on purpose: null or absent
means "not set" (a text setting reads as ""), numbers may arrive as ints, whole floats
(protobuf Struct has no integers) or numeric strings. A value of the wrong JSON type (a number
where text is expected, a word where a number is), a closed `Options` setting given a value it
does not offer, or a number out of range fails, and the message names the setting: the engine
turns it into INVALID_ARGUMENT before the run (execution.wiring).

A record's JSON schema (`model_json_schema(by_alias=True)`) is its field list for the catalogue
(execution.nodes.catalog): names, types, defaults, ranges, and `Options` as `enum` (closed) or
`examples` (open). Validation and the catalogue read the same record.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
)
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from execution.cache.mode import NodeCacheChoice
from execution.errors import InvalidSettings


def _label(name: str, _info: Any) -> str:
    """A setting's title in the JSON schema (the catalogue's label): `camera_angle` → "Camera angle"."""
    return name.replace("_", " ").strip().capitalize()


class NodeSettings(BaseModel):
    """Base of every settings record: frozen; a field `negative_prompt` reads the setting
    `negativePrompt` (the editor's camelCase); keys no field declares are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, field_title_generator=_label)


class NoSettings(NodeSettings):
    """The record of a node type that reads no settings."""


@dataclass(frozen=True, slots=True)
class Options:
    """The values the editor offers for a setting (an Annotated marker on a text setting).

    Closed (the default): any other value fails the setting, naming the choices; "" (unset) is
    accepted, and a value differing only in case reads as the offered spelling. `open`: other
    values are accepted too — the executor knows what to do with them (the translator sends an
    unknown language as its name, the scene builder keeps an unknown choice as a phrase), and an
    editor newer than this server may offer more — so they are listed as examples, not an enum."""

    values: tuple[str, ...]
    open: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        return schema if self.open else core_schema.no_info_after_validator_function(self._offered, schema)

    def _offered(self, value: Any) -> Any:
        if value == "" or value is None or value in self.values:
            return value
        folded = value.casefold() if isinstance(value, str) else None
        for offered in self.values:
            if offered.casefold() == folded:
                return offered
        raise ValueError(f"must be one of {', '.join(self.values)}, not {value!r}")

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["examples" if self.open else "enum"] = list(self.values)
        return json_schema


def _kind(value: Any) -> str:
    """A value's JSON type, for messages ("a number")."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _raw_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"must be text, not {_kind(value)}")
    return value


def _text(value: Any) -> str:
    return _raw_text(value).strip()


def _tags(value: Any) -> str:
    if isinstance(value, list):
        if not all(isinstance(t, str) for t in value):
            raise ValueError("must be text or a list of texts")
        return ", ".join(t.strip() for t in value if t.strip())
    return _text(value)


def _strict_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip()


def _lenient_number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


# A string setting, stripped; "" when absent or null; any other type fails.
Text = Annotated[str, BeforeValidator(_text)]
# A string setting as given (the consumer normalises it); "" when absent or null; any other type fails.
RawText = Annotated[str, BeforeValidator(_raw_text)]
# A string setting, stripped; absent is "", anything else but a string fails.
StrictText = Annotated[str, BeforeValidator(_strict_text)]
# A list of strings or one string, as "a, b" (blank items dropped); anything else fails.
Tags = Annotated[str, BeforeValidator(_tags)]
# A number, or 0 when absent or not a number (diagnostic settings).
LenientNumber = Annotated[float, BeforeValidator(_lenient_number)]
# Any value: true when truthy.
Flag = Annotated[bool, BeforeValidator(bool)]


_CACHE_WORDS = {"": NodeCacheChoice.DEFAULT, "use": NodeCacheChoice.USE, "refresh": NodeCacheChoice.REFRESH,
                "bypass": NodeCacheChoice.BYPASS}


def _cache_choice(value: Any) -> NodeCacheChoice:
    if value is None:
        return NodeCacheChoice.DEFAULT
    if isinstance(value, bool):
        return NodeCacheChoice.USE if value else NodeCacheChoice.BYPASS
    if isinstance(value, str) and value.strip().lower() in _CACHE_WORDS:
        return _CACHE_WORDS[value.strip().lower()]
    raise ValueError('must be true, false, "use", "refresh" or "bypass"')


# A node's use of the server's cache (execution.cache.mode): unset = its type's default; true or
# "use" = read and store; "refresh" = compute again and store; false or "bypass" = leave it alone.
CacheSetting = Annotated[NodeCacheChoice, BeforeValidator(_cache_choice), WithJsonSchema(
    {"anyOf": [{"type": "boolean"}, {"enum": ["", "use", "refresh", "bypass"]}],
     "description": "Server cache for this node: unset = the node type's default"})]


class ModelSettings(NodeSettings):
    """Base of the records of node types that call a provider: the node's own choice of
    provider and model (execution.model_resolution resolves them with the type's default), and
    of its use of the server's cache."""

    provider_id: Text = ""
    # A model id, or `task:NAME` (execution.model_tasks: the task table picks provider and model).
    model: Text = ""
    # Where `task:NAME` models come from: "eco" (local) or "fast" (cloud); unset = the request's.
    # Checked where the model is resolved (execution.model_resolution.node_mode).
    execution_mode: Annotated[Text, Options(("eco", "fast"))] = ""
    cache: CacheSetting = NodeCacheChoice.DEFAULT


def _number(value: Any) -> float | None:
    """A number from an int, a float or a numeric string; None when unset ("" or null)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError(f"must be a number, not {value!r}") from None
    if isinstance(value, (int, float)):
        return float(value)
    raise ValueError("must be a number")


class _Range(abc.ABC):
    """Validation and JSON-schema range of a number setting (an Annotated marker)."""

    low: float
    high: float

    @abc.abstractmethod
    def parse(self, value: Any) -> float | None:
        """The setting's number, None when unset; ValueError when it is out of range."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.parse, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        for branch in json_schema.get("anyOf", [json_schema]):  # `int | None`: the number branch
            if branch.get("type") in ("integer", "number"):
                branch.update(minimum=self.low, maximum=self.high)
        return json_schema


@dataclass(frozen=True)
class WholeNumber(_Range):
    """A whole number from `low` to `high`: an int, a whole float or a numeric string; unset → None."""

    low: int
    high: int

    def parse(self, value: Any) -> int | None:
        number = _number(value)
        if number is None:
            return None
        if not number.is_integer() or not self.low <= number <= self.high:
            raise ValueError(f"must be a whole number from {self.low} to {self.high}, not {number:g}")
        return int(number)


@dataclass(frozen=True)
class NumberBetween(_Range):
    """A number from `low` to `high`: an int, a float or a numeric string; unset → None."""

    low: float
    high: float

    def parse(self, value: Any) -> float | None:
        number = _number(value)
        if number is None:
            return None
        if not self.low <= number <= self.high:
            raise ValueError(f"must be from {self.low:g} to {self.high:g}, not {number:g}")
        return number


def must(check: Callable[[Any], bool], message: str) -> BeforeValidator:
    """Accept a value as given when `check` holds, else fail with `message` ("must be …")."""

    def parse(value: Any) -> Any:
        if not check(value):
            raise ValueError(message)
        return value

    return BeforeValidator(parse)


S = TypeVar("S", bound=NodeSettings)


def parse_settings(record: type[S], data: Mapping[str, Any]) -> S:
    """`data` as `record`; InvalidSettings names the first setting that does not fit (with its
    path inside the setting when the problem is deeper: `cases[0].operator`)."""
    try:
        return record.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = error["loc"]
        field = _setting_name(record, loc[0] if loc else "")
        for part in loc[1:]:  # inside a setting: `cases[0].operator`
            field += f"[{part}]" if isinstance(part, int) else f".{part}"
        if error["type"] == "value_error":  # our own validators: "must be …"
            detail = str(error["ctx"]["error"])
            raise InvalidSettings(field, f"'{field}' {detail}" if field else detail) from None
        raise InvalidSettings(field, f"'{field}': {error['msg']}" if field else str(error["msg"])) from None


def _setting_name(record: type[NodeSettings], key: object) -> str:
    """The editor's name for the setting an error is about (`negativePrompt`, also when it came
    as `negative_prompt`)."""
    for name, info in record.model_fields.items():
        if key in (name, info.alias, info.validation_alias, *getattr(info.validation_alias, "choices", ())):
            return info.alias or name
    return str(key)


def _one_line(schema: dict[str, Any]) -> None:
    """A field docstring wrapped over lines reads as one line in the schema."""
    for field_schema in schema.get("properties", {}).values():
        if isinstance(field_schema, dict) and isinstance(field_schema.get("description"), str):
            field_schema["description"] = " ".join(field_schema["description"].split())


class ElementSettings(NodeSettings):
    """Base of the records of the general flow elements (seed 004: start, case, merge, …): their
    settings are the element's own fields, spelled as the seed's flow documents spell them
    (`input_schema`, `max_tokens`), so no camelCase alias. Each field's docstring is its
    description in the record's JSON schema (the catalogue's text for the setting)."""

    model_config = ConfigDict(alias_generator=None, use_attribute_docstrings=True, json_schema_extra=_one_line)
