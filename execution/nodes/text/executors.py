"""The six text executors, exactly as seed §5.2 describes them.

Where the seed is silent: a node that must call a model but has no text to send fails with
InvalidNodeInput instead of paying for an empty prompt (the translator and compressor pass
empty text through, as they pass short text through); `tags` may be a list or a string.
"""

from __future__ import annotations

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.nodes.inputs import extract_personas, merge_input_text, setting
from execution.nodes.languages import language_name
from execution.nodes.text.llm_steps import LlmSteps
from execution.outputs import NodeOutput
from execution.prompts.compress import COMPRESS_THRESHOLD, compress_prompt
from execution.prompts.enhance import enhance_prompt
from execution.prompts.grammar_fix import grammar_fix_prompt
from execution.prompts.inject_persona import inject_persona_prompt
from execution.prompts.storyteller import storyteller_prompt
from execution.prompts.translate import translate_prompt
from execution.registry import ExecutorSpec, NodeCategory


async def _then_inject_personas(ctx: NodeContext, steps: LlmSteps, text: str) -> str:
    """The seed's injectPersonasIfPresent: a second call only when adapter personas exist."""
    personas = extract_personas(ctx.adapter_inputs)
    if not personas:
        return text
    return await steps.run(inject_persona_prompt(text, personas), final=True)


def _required_text(ctx: NodeContext, what: str) -> str:
    text = merge_input_text(ctx.inputs)
    if not text:
        raise InvalidNodeInput(f"Nothing to {what}: connect a node that produces text")
    return text


def _tags(ctx: NodeContext) -> str:
    value = ctx.data.get("tags")
    if isinstance(value, list):
        return ", ".join(t.strip() for t in value if isinstance(t, str) and t.strip())
    return setting(ctx.data, "tags")


async def initial_prompt(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    return steps.output(await _then_inject_personas(ctx, steps, setting(ctx.data, "text")))


async def prompt_enhancer(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = _required_text(ctx, "enhance")
    has_personas = bool(extract_personas(ctx.adapter_inputs))
    enhanced = await steps.run(enhance_prompt(text, setting(ctx.data, "notes")), final=not has_personas)
    return steps.output(await _then_inject_personas(ctx, steps, enhanced))


async def translator(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = merge_input_text(ctx.inputs)
    code = setting(ctx.data, "language")
    if not code or not text:
        return steps.output(text)
    return steps.output(await steps.run(translate_prompt(text, language_name(code)), final=True))


async def story_teller(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    concept = merge_input_text(ctx.inputs) or setting(ctx.data, "idea")
    if not concept:
        raise InvalidNodeInput("Nothing to tell: write an idea or connect a node that produces text")
    has_personas = bool(extract_personas(ctx.adapter_inputs))
    story = await steps.run(storyteller_prompt(concept, _tags(ctx)), final=not has_personas)
    return steps.output(await _then_inject_personas(ctx, steps, story))


async def grammar_fix(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = _required_text(ctx, "proofread")
    return steps.output(await steps.run(grammar_fix_prompt(text, setting(ctx.data, "style")), final=True))


async def compressor(ctx: NodeContext) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = merge_input_text(ctx.inputs)
    if len(text) < COMPRESS_THRESHOLD:
        return steps.output(text)
    return steps.output(await steps.run(compress_prompt(text), final=True))


EXECUTORS = [
    ExecutorSpec("initialPrompt", initial_prompt, NodeCategory.TEXT,
                 "The user's prompt; character personas on adapter edges are injected into it.",
                 calls_provider=True),
    ExecutorSpec("promptEnhancer", prompt_enhancer, NodeCategory.TEXT,
                 "Enhances the upstream prompt (optional notes), then injects adapter personas.",
                 calls_provider=True),
    ExecutorSpec("translator", translator, NodeCategory.TEXT,
                 "Translates the upstream text to the chosen language; no language = pass-through.",
                 calls_provider=True),
    ExecutorSpec("storyTeller", story_teller, NodeCategory.TEXT,
                 "Writes a short story from the upstream text or the idea (optional style tags).",
                 calls_provider=True),
    ExecutorSpec("grammarFix", grammar_fix, NodeCategory.TEXT,
                 "Fixes grammar, spelling and punctuation (optional tone).", calls_provider=True),
    ExecutorSpec("compressor", compressor, NodeCategory.TEXT,
                 "Compresses text of 2500 characters or more; shorter text passes through.",
                 calls_provider=True),
]
