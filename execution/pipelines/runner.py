"""Running one config's pipeline inside a node: its chunks in order, each chunk's output the
next one's PREVIOUS_OUTPUT, the last one's the node's output.

- Before any call, every LLM chunk's template is checked against the values the run offers
  (a placeholder with no value fails the node, naming it and its chunk) and every chunk's
  provider is looked up (a provider this server does not have fails it too).
- Where a chunk's call goes (`chunk_target`): a `task:NAME` model → the task table in the
  node's execution mode (an always-local task stays local in either mode); any other model →
  the chunk's backend provider (`ollama`, `openrouter`, …), "" meaning its default model.
- Parameters: the config's over the chunk's (temperature unset = the provider's default;
  max_tokens unset = 2048).
- The client sees each chunk: a NodeStep STARTED, then COMPLETED with the chunk's text. Only
  the last chunk streams its tokens (text deltas), so the node's output is still the
  concatenation of its deltas; every call is recorded as a ProviderCall whose purpose is the
  chunk's id. Under dry run each chunk's result is its own prompt, as in every LLM node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from execution.context import NodeContext
from execution.events import StepState
from execution.messages import ChatMessage
from execution.model_resolution import ModelChoice
from execution.model_tasks.mode import ExecutionMode
from execution.model_tasks.table import ModelTasks
from execution.nodes.chat_steps import ChatSteps
from execution.outputs import NodeOutput
from execution.pipelines.model import Chunk, ResolvedPipeline
from execution.pipelines.output_chunks import run_output_chunk
from execution.pipelines.placeholders import PREVIOUS_OUTPUT, built_in_values, fill, missing, unknown_placeholder
from execution.prompts.template import DEFAULT_MAX_TOKENS, RenderedPrompt
from execution.providers.chat import ChatRequest


@dataclass(frozen=True, slots=True)
class PipelineInput:
    input_text: str
    # USER_INPUT; "" = the input text.
    user_input: str = ""
    # The node's own placeholders (custom names only).
    custom: Mapping[str, str] | None = None


def chunk_target(chunk: Chunk, tasks: ModelTasks, mode: ExecutionMode) -> ModelChoice:
    if tasks.names_task(chunk.model):
        return tasks.resolve(chunk.model, mode)
    return ModelChoice(chunk.backend_type, chunk.model)


def planned_calls(ctx: NodeContext[Any], resolved: ResolvedPipeline) -> list[dict[str, str]]:
    """Where each chunk's call goes — provider and the model it will send (defaults filled in)
    — for the node's cache key; InvalidNodeInput for a provider this server does not have."""
    calls = []
    for chunk in resolved.chunks:
        if chunk.is_output:
            calls.append({"chunk": chunk.chunk_id, "backend": chunk.backend_type})
            continue
        target = chunk_target(chunk, ctx.services.model_tasks, ctx.model.mode)
        provider = ctx.services.llm.get(target.provider_id)
        model = provider.prepare(ChatRequest((), model=target.model)).model
        calls.append({"chunk": chunk.chunk_id, "provider": provider.provider_id, "model": model})
    return calls


async def run_pipeline(ctx: NodeContext[Any], resolved: ResolvedPipeline, given: PipelineInput) -> NodeOutput:
    config = resolved.config
    values = {**resolved.mapped, **(given.custom or {}),
              **built_in_values(context=config.context, task_instruction=resolved.task_instruction,
                                input_text=given.input_text, user_input=given.user_input)}
    chunks = resolved.chunks
    count = len(chunks)
    for index, chunk in enumerate(chunks):
        for name in [] if chunk.is_output else missing(chunk.template, values):
            raise unknown_placeholder(name, chunk.chunk_id, index, count, list(values))
    targets = [None if c.is_output else chunk_target(c, ctx.services.model_tasks, ctx.model.mode) for c in chunks]
    for target in targets:
        if target is not None:
            ctx.services.llm.get(target.provider_id)  # InvalidNodeInput naming an unknown provider
    steps = ChatSteps(ctx)
    previous = given.input_text
    for index, (chunk, target) in enumerate(zip(chunks, targets, strict=True)):
        ctx.emit_step(index, count, chunk.chunk_id, StepState.STARTED)
        values[PREVIOUS_OUTPUT] = previous
        if target is None:  # an output chunk (always the last: checked when the library loads)
            rendered = await run_output_chunk(ctx, chunk, values, step=chunk.chunk_id)
            ctx.emit_step(index, count, chunk.chunk_id, StepState.COMPLETED)
            out = steps.output(previous, rendered.image)
            return NodeOutput(text=out.text, image=out.image, dry_run=out.dry_run or rendered.dry_run,
                              provider_calls=(*out.provider_calls, *rendered.provider_calls), usage=out.usage)
        parameters = config.parameters.over(chunk.parameters)
        prompt = RenderedPrompt(chunk.chunk_id, fill(chunk.template, values), parameters.temperature,
                                parameters.max_tokens or DEFAULT_MAX_TOKENS)
        previous = await steps.chat(prompt, (ChatMessage("user", prompt.text),), model=target.model,
                                    stream=index == count - 1, provider_id=target.provider_id)
        ctx.emit_step(index, count, chunk.chunk_id, StepState.COMPLETED, previous)
    return steps.output(previous)
