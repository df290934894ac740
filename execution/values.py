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
from typing import Any

JsonValue = Any  # None | bool | int | float | str | list[JsonValue] | dict[str, JsonValue]

# One encoder, made once: json.dumps with options builds a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_COMPACT_ANY = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
# json.dumps(text, ensure_ascii=False) for a str, without the encoder's set-up.
_QUOTE = json.encoder.encode_basestring  # type: ignore[attr-defined]
# Nesting past which json_size leaves the counting to the encoder.
_PLAIN_DEPTH = 32


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


def json_size(value: JsonValue) -> int:
    """UTF-8 bytes of `value` as compact JSON (what the text limits count for named values, and
    the size of settings given in-process); anything JSON cannot hold counts as its str()."""
    size = _plain_size(value, 0)
    if size >= 0:
        return size
    text = _COMPACT_ANY.encode(value)
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def plain_json_size(value: JsonValue) -> int:
    """json_size of a value that is plain JSON all the way down (str, int, finite float, bool,
    None, lists, dicts with str keys — exact types, nested at most _PLAIN_DEPTH deep); -1 when
    it is anything else."""
    return _plain_size(value, 0)


def _plain_size(value: JsonValue, depth: int) -> int:
    kind = type(value)
    if kind is str:
        return _text_size(value)
    if kind is dict:
        if depth > _PLAIN_DEPTH:
            return -1
        size = 1 + 2 * len(value) if value else 2  # braces, and each key's colon and comma
        for key, item in value.items():  # (_text_size's common case inlined: this runs for every output)
            if type(key) is not str:
                return -1
            if key.isascii() and key.isprintable() and '"' not in key and "\\" not in key:
                size += len(key) + 2
            else:
                size += _text_size(key)
            if type(item) is str:
                if item.isascii() and item.isprintable() and '"' not in item and "\\" not in item:
                    size += len(item) + 2
                else:
                    size += _text_size(item)
                continue
            item_size = _plain_size(item, depth + 1)
            if item_size < 0:
                return -1
            size += item_size
        return size
    if kind is list:
        if depth > _PLAIN_DEPTH:
            return -1
        size = 1 + len(value) if value else 2  # brackets and commas
        for item in value:
            item_size = _plain_size(item, depth + 1)
            if item_size < 0:
                return -1
            size += item_size
        return size
    if kind is int:
        return len(int.__repr__(value))
    if kind is float:
        return len(float.__repr__(value)) if math.isfinite(value) else -1
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    return -1


def _text_size(text: str) -> int:
    """UTF-8 bytes of `text` as a JSON string (quotes and escapes included)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return len(text) + 2  # written as it is (most keys and values)
    quoted = _QUOTE(text)
    return len(quoted) if quoted.isascii() else len(quoted.encode("utf-8", "surrogatepass"))


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
