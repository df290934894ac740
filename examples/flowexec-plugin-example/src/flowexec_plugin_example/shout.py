"""example.shout: the upstream text (else the `text` setting) in a chosen case, repeated.

Settings (validated by flowexec before the run, from this record):
    style   "upper" (default), "lower" or "title" — closed options: any other value is
            INVALID_ARGUMENT naming the node and `style`
    repeat  1–5 (default 1): how many times the text is said, joined by a space
    ending  text appended to each repetition (default "!")
    text    the text when no edge brings one
"""

from __future__ import annotations

from typing import Annotated

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.inputs import merge_input_text
from execution.nodes.setting_types import NodeSettings, Options, RawText, Text, WholeNumber
from execution.nodes.spec import TEXT_IN, TEXT_OUT, NodeFamily, NodeSpec
from execution.outputs import NodeOutput

STYLES = ("upper", "lower", "title")


class ShoutSettings(NodeSettings):
    style: Annotated[Text, Options(STYLES)] = "upper"
    repeat: Annotated[int | None, WholeNumber(1, 5)] = None
    ending: RawText = "!"
    text: Text = ""


async def shout(ctx: NodeContext[ShoutSettings]) -> NodeOutput:
    text = merge_input_text(ctx.inputs) or ctx.settings.text
    if not text:
        raise InvalidNodeInput("Nothing to shout: connect a node that produces text, or set 'text'")
    cased = {"upper": text.upper(), "lower": text.lower(), "title": text.title()}[ctx.settings.style or "upper"]
    return NodeOutput(text=" ".join([cased + ctx.settings.ending] * (ctx.settings.repeat or 1)))


SHOUT = NodeSpec(
    "example.shout", NodeFamily.TEXT, shout, ShoutSettings,
    display_name="Shout",
    description="Says the upstream text in a chosen case (upper, lower, title), up to five times.",
    inputs=(TEXT_IN,), outputs=(TEXT_OUT,),
    # No provider call, so nothing worth caching: it costs less to run than to look up.
    cache_policy=None,
    version=1,
)
