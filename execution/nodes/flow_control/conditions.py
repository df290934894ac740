"""A case branch's condition: an operator, an operand and an optional path into the input.

Operators (and their aliases):
- `equals` (`==`, `eq`), `not_equals` (`!=`, `ne`): JSON equality (3 equals 3.0); a number
  and a numeric string compare as numbers ("5" equals 5); `ignore_case` for strings.
- `contains`: a substring of a string, an item of a list, a key of an object.
- `regex` (`matches`): the pattern is found in the string (a non-string is tested as its JSON).
  Patterns are RE2 (google-re2): linear time whatever the input, so a user's pattern cannot
  stall the server (no backreferences or lookaround; a pattern RE2 refuses fails validation).
- `gt` (`>`), `gte` (`>=`), `lt` (`<`), `lte` (`<=`): numeric compare; a numeric string counts
  as its number, anything else does not match.
- `exists`, `not_exists`: the path leads to a value (JSON-path exists; without a path: the
  input is not null).
The operand is checked when the settings are parsed, so a bad one is named before the run.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import re2  # google-re2
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from execution.json_path import JsonPath, PathNotFound
from execution.values import as_text, same_value

OPERATORS = ("equals", "not_equals", "contains", "regex", "gt", "gte", "lt", "lte", "exists", "not_exists")
_ALIASES = {"==": "equals", "eq": "equals", "!=": "not_equals", "ne": "not_equals", "matches": "regex",
            ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_NUMERIC = {"gt": float.__gt__, "gte": float.__ge__, "lt": float.__lt__, "lte": float.__le__}
# Longest regex pattern accepted (characters), and RE2's memory budget for one.
MAX_PATTERN_CHARS = 4096
_RE2_MAX_MEM = 8 << 20


def _re2_options(ignore_case: bool) -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is our violation, not a line on stderr
    options.max_mem = _RE2_MAX_MEM
    options.case_sensitive = not ignore_case
    return options


def as_number(value: Any) -> float | None:
    """A finite number from a number or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


class Condition(BaseModel):
    """One branch's test of the case's input."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    operator: str
    value: Any = None
    path: str = ""
    ignore_case: bool = False

    @field_validator("operator", mode="before")
    @classmethod
    def _operator(cls, value: Any) -> str:
        name = _ALIASES.get(str(value).strip().lower(), str(value).strip().lower()) if isinstance(value, str) else ""
        if name not in OPERATORS:
            raise ValueError(f"must be one of {', '.join(OPERATORS)} (not {value!r})")
        return name

    @model_validator(mode="after")
    def _compile(self) -> Condition:
        if self.path:
            JsonPath.parse(self.path)
        if self.operator in _NUMERIC and as_number(self.value) is None:
            raise ValueError(f"operator {self.operator!r} needs a number as value (not {self.value!r})")
        if self.operator == "regex":
            if not isinstance(self.value, str):
                raise ValueError("operator 'regex' needs a pattern (a string) as value")
            if len(self.value) > MAX_PATTERN_CHARS:
                raise ValueError(f"the regex pattern is over {MAX_PATTERN_CHARS} characters")
            try:
                _pattern(self.value, self.ignore_case)
            except re2.error as err:
                reason = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else err
                raise ValueError(f"regex {self.value!r} is not a valid RE2 pattern: {reason}") from None
        if self.operator == "contains" and self.value is None:
            raise ValueError("operator 'contains' needs a value")
        return self

    def holds(self, subject: Any) -> bool:
        """Whether the condition holds for the case's input `subject`."""
        operator = self.operator
        if operator == "equals" and not self.path and type(subject) is str and type(self.value) is str:
            # the common case, _equals on two strings
            return subject.casefold() == self.value.casefold() if self.ignore_case else subject == self.value
        if operator in ("exists", "not_exists"):
            found = JsonPath.parse(self.path).exists(subject) if self.path else subject is not None
            return found == (self.operator == "exists")
        if self.path:
            try:
                subject = JsonPath.parse(self.path).get(subject)
            except PathNotFound:
                return self.operator == "not_equals"
        return _OPERATIONS[self.operator](self, subject)


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str, ignore_case: bool) -> Any:
    """A compiled pattern (kept: a flow's patterns are compiled again each run); re2.error."""
    return re2.compile(pattern, _re2_options(ignore_case))


def _equals(cond: Condition, subject: Any) -> bool:
    operand = cond.value
    if isinstance(subject, str) != isinstance(operand, str):  # "5" against 5: as numbers
        a, b = as_number(subject), as_number(operand)
        return a is not None and a == b
    if cond.ignore_case and isinstance(subject, str) and isinstance(operand, str):
        return subject.casefold() == operand.casefold()
    return same_value(subject, operand)


def _contains(cond: Condition, subject: Any) -> bool:
    operand = cond.value
    if isinstance(subject, str):
        needle = as_text(operand)
        return needle.casefold() in subject.casefold() if cond.ignore_case else needle in subject
    if isinstance(subject, list):
        return any(_equals(cond, item) for item in subject)
    if isinstance(subject, dict):
        return isinstance(operand, str) and operand in subject
    return False


def _regex(cond: Condition, subject: Any) -> bool:
    if subject is None:
        return False
    return _pattern(cond.value, cond.ignore_case).search(as_text(subject)) is not None


def _numeric(cond: Condition, subject: Any) -> bool:
    number, operand = as_number(subject), as_number(cond.value)
    return number is not None and operand is not None and _NUMERIC[cond.operator](number, operand)


_OPERATIONS = {
    "equals": _equals,
    "not_equals": lambda cond, subject: not _equals(cond, subject),
    "contains": _contains,
    "regex": _regex,
    "gt": _numeric, "gte": _numeric, "lt": _numeric, "lte": _numeric,
}


class Branch(Condition):
    """A case branch: the output it routes to when its condition holds."""

    output: str = Field(min_length=1)
