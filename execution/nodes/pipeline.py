"""The `pipeline` node: runs a config of the pipeline library (seed 002) on its input.

Settings: `config` (a config id, required), `text` (the input when no edge brings one),
`userInput` ({{USER_INPUT}}; default the input), `placeholders` (custom {{NAME}} values; the
built-in names are refused), `executionMode` (`eco` | `fast`: where the chunks' `task:` models
come from; default the request's, then the server's). The chunks run in order inside the node
(execution.pipelines.runner): the client sees each as NodeStep events with its output, and the
last one's tokens as the node's text deltas.

Cached by default, keyed by its settings, its input, the config's files as loaded (config,
pipeline, chunks), the instruction texts, and where each chunk's call goes in the node's mode.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from execution.cache.mode import NodeCacheChoice
from execution.context import NodeContext
from execution.errors import InvalidNodeInput, InvalidSettings
from execution.nodes.inputs import merge_input_text
from execution.nodes.setting_types import CacheSetting, NodeSettings, Options, RawText, Text, must
from execution.nodes.spec import IMAGE_OUT, TEXT_IN, TEXT_OUT, CachePolicy, NodeFamily, NodeSpec
from execution.outputs import NodeOutput
from execution.pipelines.model import ResolvedPipeline
from execution.pipelines.placeholders import BUILT_IN, PLACEHOLDER
from execution.pipelines.runner import PipelineInput, planned_calls, run_pipeline
from execution.prompts import instruction_types


def _placeholder_values(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    return all(isinstance(v, str) and PLACEHOLDER.fullmatch("{{" + k + "}}") and k not in BUILT_IN
               for k, v in value.items())


class PipelineNodeSettings(NodeSettings):
    config: Text = ""
    text: Text = ""
    user_input: RawText = ""
    placeholders: Annotated[dict[str, str] | None, must(
        _placeholder_values, "must be an object of custom placeholder names (letters, digits, '_'; not a built-in "
                             f"name: {', '.join(sorted(BUILT_IN))}) to text")] = None
    execution_mode: Annotated[Text, Options(("eco", "fast"))] = ""
    cache: CacheSetting = NodeCacheChoice.DEFAULT


# A pipeline node's settings, or a subclass (llm_action's).
P = TypeVar("P", bound=PipelineNodeSettings)


def resolved_config(ctx: NodeContext[P]) -> ResolvedPipeline:
    config_id = ctx.settings.config
    library = ctx.services.pipelines
    if not config_id:
        raise InvalidSettings("config", f"'config' is required: one of {', '.join(library.config_ids) or 'none'}")
    try:
        return library.resolve(config_id)
    except ValueError as exc:
        raise InvalidSettings("config", f"'config' {exc}") from None


def pipeline_call(ctx: NodeContext[P]) -> dict[str, Any]:
    resolved = resolved_config(ctx)
    return {"config": resolved.config.config_id, "definition": resolved.digest, "calls": planned_calls(ctx, resolved)}


async def pipeline(ctx: NodeContext[PipelineNodeSettings]) -> NodeOutput:
    resolved = resolved_config(ctx)
    text = merge_input_text(ctx.inputs) or ctx.settings.text
    if not text:
        raise InvalidNodeInput("Nothing to transform: connect a node that produces text, or set 'text'")
    given = PipelineInput(text, ctx.settings.user_input, ctx.settings.placeholders)
    return await run_pipeline(ctx, resolved, given)


PIPELINE = NodeSpec(
    "pipeline", NodeFamily.PIPELINE, pipeline, PipelineNodeSettings,
    display_name="Pipeline",
    description="Runs a config of the server's pipeline library (e.g. Dadaism) on the upstream text: its chunks in "
                "order, each one's output the next one's input; eco (local) or fast (cloud) models.",
    inputs=(TEXT_IN,), outputs=(TEXT_OUT, IMAGE_OUT), calls_provider=True,
    cache_policy=CachePolicy(call=pipeline_call), prompts=(instruction_types,),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (PIPELINE,)
