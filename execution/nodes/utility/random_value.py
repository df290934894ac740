"""random: a random choice or number, reproducible from its seed.

Settings:
    mode     "choice" (one of `choices`) or "number" (between `min` and `max`); default:
             "choice" when `choices` is given, else "number"
    choices  the values to choose from
    min, max the range (default 0 to 1; both ends included for integers)
    integer  a whole number (default false)
    seed     the seed (an integer); when absent one is drawn, and it is always output beside the
             value (`seed`), so setting it reproduces the run's value

Outputs: `value` and `seed`.
"""

from __future__ import annotations

import math
import random as _random
import secrets
from typing import Any, Literal

from pydantic import Field, model_validator

from execution.context import NodeContext
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.setting_types import ElementSettings
from execution.nodes.spec import NodeFamily, NodeSpec
from execution.nodes.value_inputs import value_output
from execution.outputs import NodeOutput

_PORTS = NodePorts(PortSet(), PortSet((value_port("value", description="the choice or number drawn"),
                                         value_port("seed", description="the seed it was drawn with"))))
# Seeds are drawn below 2^53, so they survive the trip through a JSON (double) number intact.
SEED_BOUND = 2**53


class RandomSettings(ElementSettings):
    mode: Literal["choice", "number"] | None = None
    """"choice" (one of choices) or "number" (between min and max); unset: choice when choices are given, else number.
"""
    choices: list[Any] = Field(default_factory=list)
    """The values to choose from."""
    min: float = 0.0
    """The lowest number (default 0)."""
    max: float = 1.0
    """The highest number (default 1; included for integers)."""
    integer: bool = False
    """Draw a whole number."""
    seed: int | None = None
    """The seed; unset: one is drawn. It is always output (seed), so setting it reproduces a run's value."""

    @model_validator(mode="after")
    def _check(self) -> RandomSettings:
        if self.choice and not self.choices:
            raise ValueError("mode 'choice' needs a non-empty 'choices' list")
        if not self.choice:
            if not (math.isfinite(self.min) and math.isfinite(self.max)) or self.min > self.max:
                raise ValueError(f"'min' ({self.min:g}) must not be above 'max' ({self.max:g})")
            if self.integer and math.ceil(self.min) > math.floor(self.max):
                raise ValueError(f"no whole number lies between 'min' ({self.min:g}) and 'max' ({self.max:g})")
        if self.seed is not None and not 0 <= self.seed < SEED_BOUND:
            raise ValueError(f"'seed' must be from 0 to 2^53 - 1, not {self.seed}")
        return self

    @property
    def choice(self) -> bool:
        return self.mode == "choice" or (self.mode is None and bool(self.choices))


def draw(settings: RandomSettings, seed: int) -> Any:
    rng = _random.Random(seed)
    if settings.choice:
        return rng.choice(settings.choices)
    if settings.integer:
        return rng.randint(math.ceil(settings.min), math.floor(settings.max))
    return rng.uniform(settings.min, settings.max)


async def random_value(ctx: NodeContext[RandomSettings]) -> NodeOutput:
    seed = ctx.settings.seed if ctx.settings.seed is not None else secrets.randbelow(SEED_BOUND)
    return value_output({"value": draw(ctx.settings, seed), "seed": seed}, main="value")


RANDOM = NodeSpec(
    "random", NodeFamily.UTILITY, random_value, RandomSettings,
    display_name="Random",
    description="A random choice or number; seedable, and the seed is output so a run can be reproduced.",
    ports=lambda _settings: _PORTS,
)
