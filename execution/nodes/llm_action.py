"""llm_action (seed 003): a step that runs one of the server's configs — an "LLM action" — by id.

It is the `pipeline` node under seed 003's name, run by the same machinery (the config resolved
from the library, its chunks through execution.pipelines.runner, each visible as NodeStep
events, the same cache key); what it adds is seed 003's way of naming things:

- the config: `action_id` (seed 003's `script_config.action_id`; also `actionId` or `config`),
  a config id of the pipeline library — a number is read as its decimal text, so a library that
  names its configs `5` serves the seed's integer ids;
- named inputs: a step's inputs are named (`input1`, `topic`). The input `text` is the text to
  transform; without it, the text of the edges that name no input (the editor's, as `pipeline`
  reads them), else the `text` setting. Any other named input whose name is a custom
  placeholder name fills that placeholder ({{topic}} ← input `topic`), over the node's own
  `placeholders`; a name that is no placeholder name is left out.

Outputs: text (the last chunk's) and, for a config ending in an output chunk, the image.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.inputs import INPUT_SEPARATOR
from execution.nodes.pipeline import PipelineNodeSettings, pipeline_call, resolved_config
from execution.nodes.ports import NodePorts, PortSet, value_port
from execution.nodes.spec import IMAGE_OUT, TEXT_OUT, CachePolicy, NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.pipelines.placeholders import BUILT_IN, PLACEHOLDER
from execution.pipelines.runner import PipelineInput, run_pipeline
from execution.prompts import instruction_types
from execution.values import as_text

TEXT = "text"


def _config_id(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    return value.strip() if isinstance(value, str) else ""


class LlmActionSettings(PipelineNodeSettings):
    config: Annotated[str, BeforeValidator(_config_id)] = Field(
        "", validation_alias=AliasChoices("action_id", "actionId", "config"))


def _ports(_settings: LlmActionSettings) -> NodePorts:
    return _PORTS


_PORTS = NodePorts(PortSet((value_port(TEXT, description="The text to transform"),), open=True),
                   PortSet((TEXT_OUT, IMAGE_OUT)))


def input_placeholders(named: dict[str, Any]) -> dict[str, str]:
    """The named inputs that fill custom placeholders, as text."""
    return {name: as_text(value) for name, value in named.items()
            if name != TEXT and name not in BUILT_IN and PLACEHOLDER.fullmatch("{{" + name + "}}")}


async def llm_action(ctx: NodeContext[LlmActionSettings]) -> NodeOutput:
    resolved = resolved_config(ctx)
    named = {edge.port: edge.value for edge in ctx.edge_values if edge.port is not None}
    if named.get(TEXT) is not None:
        text = as_text(named[TEXT])
    else:  # the editor's edges: each brings its source's text
        text = INPUT_SEPARATOR.join(t for t in (as_text(e.value) for e in ctx.edge_values if e.port is None) if t)
    text = text or ctx.settings.text
    if not text:
        raise InvalidNodeInput("Nothing to transform: connect a node that produces text (input 'text'), or set 'text'")
    custom = {**(ctx.settings.placeholders or {}), **input_placeholders(named)}
    return await run_pipeline(ctx, resolved, PipelineInput(text, ctx.settings.user_input, custom))


LLM_ACTION = NodeSpec(
    "llm_action", NodeFamily.PIPELINE, llm_action, LlmActionSettings,
    display_name="LLM Action",
    description="Runs a config of the server's pipeline library by id (seed 003's `action_id`) on the input text; "
                "named inputs fill the config's custom placeholders.",
    ports=_ports, calls_provider=True,
    cache_policy=CachePolicy(call=pipeline_call), prompts=(instruction_types,),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (LLM_ACTION,)
