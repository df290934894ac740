"""Named values: the JSON values nodes pass through named ports, and how they read as text.

A value is what JSON can hold: None, bool, int, float, str, list, dict (str keys). On the wire
it is a google.protobuf.Value, whose numbers are doubles: 3 arrives as 3.0, so code comparing
or rendering numbers goes through `as_text` / `same_value`, which treat a whole float as the int
it equals.

`as_text` is how a value reads where text is wanted (a value output's `text`, an editor node fed
from a named output): a string as it is, null as "", a whole number without ".0", anything else
as compact JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

JsonValue = Any  # None | bool | int | float | str | list[JsonValue] | dict[str, JsonValue]

# One encoder, made once: json.dumps with options builds a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_COMPACT_ANY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def as_text(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return dumps(value)


def dumps(value: JsonValue) -> str:
    """Compact JSON, UTF-8 kept, whole floats written as ints."""
    return _COMPACT.encode(normalise(value))


def normalise(value: JsonValue) -> JsonValue:
    """`value` with every whole float as an int (3.0 → 3), for rendering and comparing."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and math.isfinite(value) else value
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    return value


def same_value(a: JsonValue, b: JsonValue) -> bool:
    """JSON equality: 3 equals 3.0, true does not equal 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def json_size(values: Mapping[str, JsonValue]) -> int:
    """UTF-8 bytes of `values` as JSON (what the text limits count for named values)."""
    if not values:
        return 0
    size = 1  # fast path, exact for an object of strings: {"k":"v",…}
    for key, value in values.items():
        if (type(value) is not str or not (key.isascii() and key.isprintable() and value.isascii() and value.isprintable())
                or '"' in key or '"' in value or "\\" in key or "\\" in value):
            break
        size += len(key) + len(value) + 6
    else:
        return size
    text = _COMPACT_ANY.encode(values)
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def is_json(value: object) -> bool:
    """True when `value` is a JSON value (finite numbers, str keys), checked all the way down."""
    if value is None or isinstance(value, bool | str | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(is_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v) for k, v in value.items())
    return False
