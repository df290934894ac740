"""The wrapper prompt of an LLM element: text with `{name}` placeholders, each filled from the
element's named input of that name (seed 004: `"Generate a response to: {prompt}"`).

`{{` and `}}` are literal braces. A placeholder is a name only — no format spec, no attribute or
index access (str.format would let a prompt reach into the values' objects): whatever is
between the braces, stripped, is the input's name. A string value goes in as it is, any other
value as compact JSON (execution.values.as_text). A placeholder whose input delivered no value
(absent or null) fails the node, naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from execution.errors import InvalidNodeInput
from execution.quoting import quote
from execution.values import as_text

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def placeholders(template: str) -> tuple[str, ...]:
    """The placeholder names, in order of first appearance. ValueError on an empty `{}`."""
    names: dict[str, None] = {}
    for match in _TOKEN.finditer(template):
        if match.group(0) in ("{{", "}}"):
            continue
        name = match.group(1).strip()
        if not name:
            raise ValueError("has an empty placeholder {} (write {{ and }} for literal braces)")
        names.setdefault(name, None)
    return tuple(names)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """`template` with each placeholder replaced by its value; InvalidNodeInput naming the first
    placeholder without one."""
    missing = [name for name in placeholders(template) if values.get(name) is None]
    if missing:
        names = ", ".join(quote(name) for name in missing)
        raise InvalidNodeInput(f"wrapper_prompt placeholder{'s' if len(missing) > 1 else ''} {names} "
                               f"{'have' if len(missing) > 1 else 'has'} no value: connect an input of that name")

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return as_text(values[match.group(1).strip()])

    return _TOKEN.sub(replace, template)
