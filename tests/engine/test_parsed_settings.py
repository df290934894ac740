"""Settings records kept across runs (execution.nodes.parsed_settings): found again only for the
very same settings of the very same spec, and what the engine runs with is what a parse gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from execution.engine import Engine
from execution.errors import InvalidSettings
from execution.events import NodeOutputProduced
from execution.nodes.builtin import builtin_registry
from execution.nodes.parsed_settings import ParsedSettings
from execution.nodes.registry import NodeRegistry
from tests.builders import flow, node

CASE = builtin_registry().get("case")
BRANCH = {"output": "yes", "operator": "equals"}


def case_data(value: object) -> dict[str, object]:
    return {"input": "x", "cases": [{**BRANCH, "value": value}]}


def test_the_same_settings_give_the_same_record_and_other_values_their_own() -> None:
    assert CASE is not None
    parsed = ParsedSettings()
    first = parsed.parse(CASE, case_data(1)).settings
    assert parsed.parse(CASE, case_data(1)).settings is first
    # 1, 1.0 and True are equal in Python, not in a settings record's eyes: each is parsed.
    for other in (1.0, True, "1"):
        record = parsed.parse(CASE, case_data(other)).settings
        assert record is not first and record == CASE.parse_settings(case_data(other))
        assert type(record.cases[0].value) is type(other)
    assert len(parsed) == 4


def test_settings_that_do_not_parse_are_not_kept() -> None:
    assert CASE is not None
    parsed = ParsedSettings()
    bad = {"cases": [{"output": "yes", "operator": "sounds_like", "value": "x"}]}
    for _ in range(2):
        with pytest.raises(InvalidSettings):
            parsed.parse(CASE, bad)
    assert len(parsed) == 0


def test_a_record_serves_its_own_spec_only_and_the_oldest_goes_first() -> None:
    assert CASE is not None
    parsed = ParsedSettings(max_kept=2)
    record = parsed.parse(CASE, case_data("a"))
    assert record.ports == CASE.node_ports(record.settings) and record.join is CASE.join_policy(record.settings)
    newer = replace(CASE, version=CASE.version + 1)  # a registry replaced: the type's spec changed
    assert parsed.parse(newer, case_data("a")).settings is not record.settings
    parsed.parse(CASE, case_data("b"))
    parsed.parse(CASE, case_data("c"))
    assert len(parsed) == 2
    assert parsed.parse(CASE, case_data("c")).settings is parsed.parse(CASE, case_data("c")).settings


async def test_runs_of_a_flow_whose_settings_changed_use_the_new_settings() -> None:
    """The engine keeps records by content: the same dict, changed between runs, is parsed again."""
    engine = Engine(builtin_registry())
    data: dict[str, object] = {"input": "x", "default_output": "no", "cases": [{**BRANCH, "value": "L"}]}
    request = replace(flow([node("route", "case")], []), initial_inputs={"x": "L"})
    request = replace(request, nodes=(replace(request.nodes[0], data=data),))

    async def route() -> list[str]:
        events = await engine.run(request)
        return [name for e in events if isinstance(e.body, NodeOutputProduced) for name in e.body.output.values]

    assert await route() == ["no"]  # no edge fills input x: the main input is empty
    data["input"], data["default_output"] = "x", "other"
    assert await route() == ["other"]
    assert len(engine._parsed_settings) == 2


def test_the_engine_keeps_records_of_small_plain_settings_only() -> None:
    engine = Engine(NodeRegistry(builtin_registry()))
    small = node("a", "case", **case_data("x"))
    big = node("b", "case", **{**case_data("x"), "note": "n" * 4096})
    engine.prepare(flow([small, big], []))
    assert len(engine._parsed_settings) == 1
