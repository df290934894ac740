"""case: tests its input against each branch's condition in order; exactly the first branch
that holds runs (its output is taken), else the default branch.

Settings:
    input           the named input tested (default "value"); without such an edge, the main
                    input (execution.nodes.value_inputs.main_input)
    cases           [{output, operator, value, path, ignore_case}, …] (conditions: see
                    execution.nodes.flow_control.conditions)
    default_output  the output taken when no branch holds (default "default")

Outputs: one per branch plus the default, each a route (a BRANCH port): the node's output holds
only the route taken, with the tested input as its value, so nodes reached only through the
other routes end SKIPPED (BRANCH_NOT_TAKEN). Bad settings (an unknown operator, a bad pattern,
two branches with one output) are violations before the run: the branches are the node's ports.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import Field, field_validator, model_validator

from execution.context import NodeContext
from execution.nodes.flow_control.conditions import Branch
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import main_input, value_output
from execution.outputs import NodeOutput

MAX_BRANCHES = 256


class CaseSettings(ElementSettings):
    input: str = "value"
    """The named input tested (default "value"); without such an edge, the node's main input."""
    cases: list[Branch] = Field(default_factory=list)
    """The branches, tested in order: [{output, operator, value, path, ignore_case}]; operators equals, not_equals,
    contains, regex (RE2), gt, gte, lt, lte, exists, not_exists. The first that holds is the route taken."""
    default_output: str = "default"
    """The route taken when no branch holds (default "default")."""

    @field_validator("cases", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise ValueError("must be a list of branches ({output, operator, value, path})")
        if len(value) > MAX_BRANCHES:
            raise ValueError(f"has {len(value)} branches, over the limit of {MAX_BRANCHES}")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> CaseSettings:
        if not self.default_output or not self.input:
            raise ValueError("'default_output' and 'input' must not be empty")
        seen = {self.default_output}
        for i, branch in enumerate(self.cases):
            if branch.output in seen:
                raise ValueError(f"cases[{i}].output {branch.output!r} is used twice (outputs and default_output "
                                 "must differ)")
            seen.add(branch.output)
        return self


def case_ports(settings: CaseSettings) -> NodePorts:
    return _ports(settings.input, (*(b.output for b in settings.cases), settings.default_output))


@functools.lru_cache(maxsize=256)  # a flow's nodes are wired again each run
def _ports(input_name: str, routes: tuple[str, ...]) -> NodePorts:
    return NodePorts(PortSet((value_port(input_name, description="the value tested"),)),
                     PortSet(tuple(value_port(r, branch=True, description=_ROUTE if r != routes[-1] else _DEFAULT_ROUTE)
                                   for r in routes)))


_ROUTE = "the tested value, when this branch is the first whose condition holds"
_DEFAULT_ROUTE = "the tested value, when no branch's condition holds"


async def case(ctx: NodeContext[CaseSettings]) -> NodeOutput:
    settings = ctx.settings
    subject = main_input(ctx, settings.input)
    for branch in settings.cases:
        if branch.holds(subject):
            return value_output({branch.output: subject})
    return value_output({settings.default_output: subject})


CASE = NodeSpec(
    "case", NodeFamily.FLOW_CONTROL, case, CaseSettings,
    display_name="Case",
    description="Routes its input to the first branch whose condition holds (equals, contains, regex, "
                "numeric compare, path exists), else to the default branch; only that branch runs.",
    ports=case_ports,
)
