"""Paths into JSON values: `$.order.items[0].name`, `items.0.name`, `$['a key'][-1]`.

A small, fixed syntax (no filters, wildcards or slices): an optional leading `$`, then
segments — `.name` (the first may omit its dot), `[index]` (negative counts from the end),
`['name']` or `["name"]` for any key. A numeric `.0` reads a list item, or the key "0" of an
object. Parsed once (settings), read many times. Used by `selector` (pick a value) and `case`
(test a value, or that a path exists).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[^.\[\]'\"\s]+")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_QUOTED = re.compile(r"""\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]""")
_ESCAPE = re.compile(r"\\(.)")

Segment = str | int


class PathNotFound(LookupError):
    """The path leads nowhere in this value; str() says where it stopped."""


@dataclass(frozen=True, slots=True)
class JsonPath:
    text: str
    segments: tuple[Segment, ...]

    @classmethod
    def parse(cls, text: str) -> JsonPath:
        """The path; ValueError saying what is wrong and where. Parsed paths are kept (a flow's
        paths are parsed again each run), the most recent PARSED_KEPT of them."""
        return _parse(text)

    @classmethod
    def _parse(cls, text: str) -> JsonPath:
        rest = text.strip()
        if rest.startswith("$"):
            rest = rest[1:]
        segments: list[Segment] = []
        position = len(text) - len(rest)
        first = True
        while rest:
            if rest.startswith("."):
                match = _NAME.match(rest, 1)
                if match is None:
                    raise ValueError(f"path {text!r}: a name must follow '.' at character {position + 1}")
                segments.append(_name_or_index(match.group()))
            elif rest.startswith("["):
                match = _INDEX.match(rest) or _QUOTED.match(rest)
                if match is None:
                    raise ValueError(f"path {text!r}: expected [number] or ['name'] at character {position}")
                if match.re is _INDEX:
                    segments.append(int(match.group(1)))
                else:
                    segments.append(_ESCAPE.sub(r"\1", match.group(1) if match.group(1) is not None else match.group(2)))
            elif first:
                match = _NAME.match(rest)
                if match is None:
                    raise ValueError(f"path {text!r}: unexpected {rest[0]!r} at character {position}")
                segments.append(_name_or_index(match.group()))
            else:
                raise ValueError(f"path {text!r}: unexpected {rest[0]!r} at character {position}")
            position += match.end()
            rest = rest[match.end():]
            first = False
        return cls(text, tuple(segments))

    def get(self, value: Any) -> Any:
        """The value at this path; PathNotFound when it leads nowhere."""
        where = "$"
        for segment in self.segments:
            if isinstance(value, list) and isinstance(segment, int):
                if not -len(value) <= segment < len(value):
                    raise PathNotFound(f"{where} has {len(value)} items, no index {segment}")
                value = value[segment]
                where += f"[{segment}]"
            elif isinstance(value, dict):
                key = str(segment)
                if key not in value:
                    raise PathNotFound(f"{where} has no key {key!r}")
                value = value[key]
                where += f".{key}"
            else:
                kind = "a list" if isinstance(value, list) else _kind(value)
                raise PathNotFound(f"{where} is {kind}, not {'a list' if isinstance(segment, int) else 'an object'}")
        return value

    def exists(self, value: Any) -> bool:
        try:
            self.get(value)
        except PathNotFound:
            return False
        return True


PARSED_KEPT = 1024


@functools.lru_cache(maxsize=PARSED_KEPT)
def _parse(text: str) -> JsonPath:
    return JsonPath._parse(text)


def _name_or_index(name: str) -> Segment:
    return int(name) if name.lstrip("-").isdigit() else name


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object"
