"""Canonical JSON and the digests built on it — the only encoding cache keys are made of.

Canonical: keys sorted, no whitespace, UTF-8 (not \\u-escaped), floats as Python's repr
(shortest round-trip; NaN and infinities refused), enums as their values, bytes and long
strings by their sha256 (so a 16 MiB image in a setting costs one hash, not a 22 MB JSON
string). Never pickle: the encoding is stable across Python versions and processes.

`module_data` reads the data a prompt module holds — its templates, strings and numbers, also
private ones — so the key of a node type changes when any of its prompt text is edited, with
no version to forget (execution.nodes.spec.NodeSpec.prompts).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from types import ModuleType
from typing import Any

# Strings longer than this enter a key as their digest.
LONG_STRING = 1024


class NotData(TypeError):
    """A value with no canonical form (a function, a class, an arbitrary object)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_PLAIN = frozenset({bool, int, float, type(None)})


def canonical(value: Any) -> Any:
    """`value` as plain JSON values, ready for `dumps`; NotData when it has no canonical form."""
    kind = type(value)
    if kind is str:
        return value if len(value) <= LONG_STRING else {"sha256": sha256_hex(value.encode("utf-8", "surrogatepass"))}
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {k if type(k) is str else _key(k): canonical(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [canonical(v) for v in value]
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if isinstance(value, str):  # a str subclass
        return canonical(str.__str__(value))
    if isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"sha256": sha256_hex(bytes(value))}
    if isinstance(value, Mapping):
        return {_key(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=dumps)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise NotData(f"{type(value).__name__} has no canonical form")


def _key(key: Any) -> str:
    return key if isinstance(key, str) else dumps(canonical(key))


# One encoder for every call: json.dumps with options builds a new one each time (~2 µs).
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def dumps(value: Any) -> str:
    """Canonical JSON of plain JSON values (see `canonical`)."""
    return _ENCODER.encode(value)


def digest(value: Any) -> str:
    """sha256 (hex) of the canonical JSON of `value`."""
    return sha256_hex(dumps(canonical(value)).encode("utf-8", "surrogatepass"))


def module_data(module: ModuleType) -> dict[str, Any]:
    """The module's data globals (strings, numbers, templates, tables of them), by name;
    functions, classes, imported modules and other objects are left out."""
    data: dict[str, Any] = {}
    for name, value in vars(module).items():
        if name.startswith("__") or isinstance(value, (ModuleType, type)) or callable(value):
            continue
        try:
            data[name] = canonical(value)
        except NotData:
            continue
    return data
