"""The six text nodes: their settings, executors and specs.

Each is cached by default (execution.cache) — the same prompt to the same model gives an answer
worth reusing — except the storyteller: its template asks for a DIFFERENT interpretation each
time at temperature 0.95, so it is cached only when a node asks (`cache: true`). Each spec
names the prompt modules it renders from, so an edited prompt invalidates its cached outputs.

A node that must call a model but has no text to send fails with InvalidNodeInput instead of
paying for an empty prompt (the translator and compressor pass empty text through, as they
pass short text through); `tags` may be a list or a string.
"""

from __future__ import annotations

from typing import Annotated, Any

from execution.context import NodeContext
from execution.errors import InvalidNodeInput
from execution.model_resolution import ModelChoice
from execution.nodes import languages
from execution.nodes.chat_steps import chat_call
from execution.nodes.inputs import extract_personas, merge_input_text
from execution.nodes.languages import LANGUAGE_NAMES, language_name
from execution.nodes.setting_types import ModelSettings, Options, Tags, Text
from execution.nodes.spec import PERSONA_IN, TEXT_IN, CachePolicy, NodeFamily, NodeSpec
from execution.nodes.text.llm_steps import LlmSteps
from execution.outputs import NodeOutput
from execution.prompts import compress, enhance, inject_persona, storyteller, template, translate
from execution.prompts import grammar_fix as grammar
from execution.prompts.compress import COMPRESS_THRESHOLD, compress_prompt
from execution.prompts.enhance import enhance_prompt
from execution.prompts.grammar_fix import grammar_fix_prompt
from execution.prompts.inject_persona import inject_persona_prompt
from execution.prompts.storyteller import storyteller_prompt
from execution.prompts.translate import translate_prompt

MINISTRAL = ModelChoice("mistral", "ministral-14b-2512")
MISTRAL_CREATIVE = ModelChoice("mistral", "labs-mistral-small-creative")
CACHED = CachePolicy(call=chat_call)
# Repetition is what the storyteller's prompt forbids: a node asks for the cache itself.
NOT_CACHED_UNLESS_ASKED = CachePolicy(default=False, call=chat_call)


async def _then_inject_personas(ctx: NodeContext, steps: LlmSteps, text: str) -> str:
    """A second call, only when adapter personas exist, writes their appearance into the text."""
    personas = extract_personas(ctx.adapter_inputs)
    if not personas:
        return text
    return await steps.run(inject_persona_prompt(text, personas), final=True)


def _required_text(ctx: NodeContext, what: str) -> str:
    text = merge_input_text(ctx.inputs)
    if not text:
        raise InvalidNodeInput(f"Nothing to {what}: connect a node that produces text")
    return text


class InitialPromptSettings(ModelSettings):
    text: Text = ""


async def initial_prompt(ctx: NodeContext[InitialPromptSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    return steps.output(await _then_inject_personas(ctx, steps, ctx.settings.text))


class EnhancerSettings(ModelSettings):
    notes: Text = ""


async def prompt_enhancer(ctx: NodeContext[EnhancerSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = _required_text(ctx, "enhance")
    has_personas = bool(extract_personas(ctx.adapter_inputs))
    enhanced = await steps.run(enhance_prompt(text, ctx.settings.notes), final=not has_personas)
    return steps.output(await _then_inject_personas(ctx, steps, enhanced))


class TranslatorSettings(ModelSettings):
    # A language code; open: an unknown value is sent as the language's name ("Basque").
    language: Annotated[Text, Options(tuple(LANGUAGE_NAMES), open=True)] = ""


async def translator(ctx: NodeContext[TranslatorSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = merge_input_text(ctx.inputs)
    code = ctx.settings.language
    if not code or not text:
        return steps.output(text)
    return steps.output(await steps.run(translate_prompt(text, language_name(code)), final=True))


class StoryTellerSettings(ModelSettings):
    idea: Text = ""
    tags: Tags = ""


async def story_teller(ctx: NodeContext[StoryTellerSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    concept = merge_input_text(ctx.inputs) or ctx.settings.idea
    if not concept:
        raise InvalidNodeInput("Nothing to tell: write an idea or connect a node that produces text")
    has_personas = bool(extract_personas(ctx.adapter_inputs))
    story = await steps.run(storyteller_prompt(concept, ctx.settings.tags), final=not has_personas)
    return steps.output(await _then_inject_personas(ctx, steps, story))


class GrammarFixSettings(ModelSettings):
    style: Text = ""


async def grammar_fix(ctx: NodeContext[GrammarFixSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = _required_text(ctx, "proofread")
    return steps.output(await steps.run(grammar_fix_prompt(text, ctx.settings.style), final=True))


async def compressor(ctx: NodeContext[ModelSettings]) -> NodeOutput:
    steps = LlmSteps(ctx)
    text = merge_input_text(ctx.inputs)
    if len(text) < COMPRESS_THRESHOLD:
        return steps.output(text)
    return steps.output(await steps.run(compress_prompt(text), final=True))


INITIAL_PROMPT = NodeSpec(
    "initialPrompt", NodeFamily.TEXT, initial_prompt, InitialPromptSettings,
    display_name="Initial Prompt",
    description="The user's prompt; character personas on adapter edges are injected into it.",
    inputs=(PERSONA_IN,), calls_provider=True, default_model=MINISTRAL,
    cache_policy=CACHED, prompts=(template, inject_persona),
)
PROMPT_ENHANCER = NodeSpec(
    "promptEnhancer", NodeFamily.TEXT, prompt_enhancer, EnhancerSettings,
    display_name="Prompt Enhancer",
    description="Enhances the upstream prompt (optional notes), then injects adapter personas.",
    inputs=(TEXT_IN, PERSONA_IN), calls_provider=True, default_model=MINISTRAL,
    cache_policy=CACHED, prompts=(template, enhance, inject_persona),
)
TRANSLATOR = NodeSpec(
    "translator", NodeFamily.TEXT, translator, TranslatorSettings,
    display_name="Translator",
    description="Translates the upstream text to the chosen language; no language = pass-through.",
    inputs=(TEXT_IN,), calls_provider=True, default_model=MINISTRAL,
    cache_policy=CACHED, prompts=(template, translate, languages),
)
STORY_TELLER = NodeSpec(
    "storyTeller", NodeFamily.TEXT, story_teller, StoryTellerSettings,
    display_name="Storyteller",
    description="Writes a short story from the upstream text or the idea (optional style tags).",
    inputs=(TEXT_IN, PERSONA_IN), calls_provider=True, default_model=MISTRAL_CREATIVE,
    cache_policy=NOT_CACHED_UNLESS_ASKED, prompts=(template, storyteller, inject_persona),
)
GRAMMAR_FIX = NodeSpec(
    "grammarFix", NodeFamily.TEXT, grammar_fix, GrammarFixSettings,
    display_name="Grammar Fix",
    description="Fixes grammar, spelling and punctuation (optional tone).",
    inputs=(TEXT_IN,), calls_provider=True, default_model=MINISTRAL,
    cache_policy=CACHED, prompts=(template, grammar),
)
COMPRESSOR = NodeSpec(
    "compressor", NodeFamily.TEXT, compressor, ModelSettings,
    display_name="Compressor",
    description="Compresses text of 2500 characters or more; shorter text passes through.",
    inputs=(TEXT_IN,), calls_provider=True, default_model=MINISTRAL,
    cache_policy=CACHED, prompts=(template, compress),
)

NODE_SPECS: tuple[NodeSpec[Any], ...] = (INITIAL_PROMPT, PROMPT_ENHANCER, TRANSLATOR, STORY_TELLER, GRAMMAR_FIX, COMPRESSOR)
