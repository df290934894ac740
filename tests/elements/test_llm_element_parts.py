"""The pieces of the AI elements that need no server: wrapper prompts and their placeholders,
an llm_structured element's schema (a JSON Schema or seed 004's field map) and its dry-run
stand-ins."""

from __future__ import annotations

from typing import Any

import pytest

from execution.errors import InvalidNodeInput
from execution.nodes.ai.structured_schema import element_schema, sample
from execution.nodes.ai.wrapper_prompt import fill, placeholders


def test_placeholders_in_order_once_each_and_literal_braces() -> None:
    template = "Reply to {prompt} as {persona}; about {prompt} use {{json}} and {{ }}"
    assert placeholders(template) == ("prompt", "persona")
    assert fill(template, {"prompt": "hi", "persona": "Mara"}) == \
        "Reply to hi as Mara; about hi use {json} and { }"


def test_values_go_in_verbatim_or_as_json_and_are_not_formatted_again() -> None:
    values = {"a": "{b}", "b": "never", "n": 3.0, "obj": {"k": [1, True, None]}}
    assert fill("{a} {n} {obj}", values) == '{b} 3 {"k":[1,true,null]}'


def test_names_are_keys_not_expressions() -> None:
    assert placeholders("{ user name } {a.__class__} {x[0]} {y!r:>9}") == ("user name", "a.__class__", "x[0]",
                                                                             "y!r:>9")
    assert fill("{a.__class__}", {"a.__class__": "safe"}) == "safe"
    with pytest.raises(InvalidNodeInput, match=r"placeholder 'a.__class__' has no value"):
        fill("{a.__class__}", {"a": "x"})


def test_every_missing_placeholder_is_named() -> None:
    with pytest.raises(InvalidNodeInput) as info:
        fill("{who} {what} {where}", {"who": "Mara", "what": None})
    assert info.value.message == ("wrapper_prompt placeholders 'what', 'where' have no value: "
                                  "connect an input of that name")


def test_an_empty_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="empty placeholder"):
        placeholders("a {} b")


def test_field_map_becomes_a_closed_object_schema_keeping_other_keywords() -> None:
    schema = element_schema({"name": {"type": "string", "required": True, "description": "who"},
                             "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}},
                            element_name="Person card!")
    assert schema.name == "Person_card"
    assert schema.schema == {
        "type": "object", "additionalProperties": False, "required": ["name"],
        "properties": {"name": {"type": "string", "description": "who"},
                       "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3}}}
    assert schema.properties == ("name", "tags")


def test_a_json_schema_is_taken_as_it_is() -> None:
    raw = {"type": "object", "properties": {"n": {"type": "number"}}}
    schema = element_schema(raw)
    assert schema.schema == raw and schema.name == "structured_output"


@pytest.mark.parametrize(("raw", "problem"), [
    ({}, "output_schema is empty"),
    ({"name": "string"}, "entry 'name' must be an object"),
    ({"type": "string"}, "must describe an object"),
    ({"name": {"type": "strnig"}}, "not a valid JSON Schema"),
])
def test_unusable_schemas(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(InvalidNodeInput, match=problem):
        element_schema(raw)


def test_dry_run_stand_ins_fit_their_schema() -> None:
    schema = element_schema({
        "name": {"type": "string", "required": True}, "age": {"type": "integer", "required": True},
        "score": {"type": "number"}, "ok": {"type": "boolean"}, "tags": {"type": "array"},
        "mood": {"enum": ["calm", "wild"]}, "kind": {"const": "keeper"}, "maybe": {"type": ["null", "string"]},
        "home": {"type": "object", "properties": {"town": {"type": "string"}}}, "any": {}})
    value = sample(schema.schema)
    assert value == {"name": "[dry run: name]", "age": 0, "score": 0, "ok": False, "tags": [], "mood": "calm",
                     "kind": "keeper", "maybe": "[dry run: maybe]", "home": {"town": "[dry run: town]"}, "any": None}
    schema.validate(value)
