"""The prompt catalog (seed §6): templates are data with named placeholders, in the seed's
wording, with the 2500-character limit and the storyteller's temperature."""

from __future__ import annotations

import pytest

from execution.personas import Persona
from execution.prompts import compress, enhance, grammar_fix, inject_persona, storyteller, translate
from execution.prompts.template import CHAR_LIMIT, PromptTemplate

ALL_TEMPLATES = {
    "enhance-with-notes": enhance.ENHANCE_WITH_NOTES,
    "enhance-without-notes": enhance.ENHANCE_WITHOUT_NOTES,
    "translate": translate.TRANSLATE,
    "storyteller": storyteller.STORYTELLER,
    "storyteller-with-tags": storyteller.STORYTELLER_WITH_TAGS,
    "grammar-fix": grammar_fix.GRAMMAR_FIX,
    "grammar-fix-with-style": grammar_fix.GRAMMAR_FIX_WITH_STYLE,
    "compress": compress.COMPRESS,
    "inject-persona": inject_persona.INJECT_PERSONA,
}

PLACEHOLDERS = {
    "enhance-with-notes": {"text", "notes"},
    "enhance-without-notes": {"text"},
    "translate": {"text", "language"},
    "storyteller": {"text"},
    "storyteller-with-tags": {"text", "tags"},
    "grammar-fix": {"text"},
    "grammar-fix-with-style": {"text", "style"},
    "compress": {"text"},
    "inject-persona": {"characters", "prompt_text"},
}


@pytest.mark.parametrize("name", ALL_TEMPLATES)
def test_named_placeholders(name: str) -> None:
    assert ALL_TEMPLATES[name].placeholders == PLACEHOLDERS[name]


@pytest.mark.parametrize("name", ALL_TEMPLATES)
def test_renders_every_value_verbatim_and_nothing_left_open(name: str) -> None:
    template = ALL_TEMPLATES[name]
    values = {p: f"<{p} with {{braces}}>" for p in template.placeholders}
    rendered = template.render(**values)
    for value in values.values():
        assert value in rendered.text
    assert "{char_limit}" not in rendered.text
    assert (rendered.purpose, rendered.temperature, rendered.max_tokens) == (
        template.purpose, template.temperature, template.max_tokens)


def test_missing_or_unknown_values_are_refused() -> None:
    with pytest.raises(KeyError, match="missing"):
        translate.TRANSLATE.render(text="hi")
    with pytest.raises(KeyError, match="unknown"):
        compress.COMPRESS.render(text="hi", style="x")


@pytest.mark.parametrize("name", ["enhance-with-notes", "enhance-without-notes", "translate", "storyteller",
                                  "storyteller-with-tags", "inject-persona"])
def test_output_limit_is_2500_characters(name: str) -> None:
    assert CHAR_LIMIT == 2500
    rendered = ALL_TEMPLATES[name].render(**{p: "x" for p in PLACEHOLDERS[name]})
    assert "Keep under 2500 characters" in rendered.text


def test_translate_is_the_seed_text() -> None:
    assert translate.translate_prompt("Bonjour", "German").text == (
        "Translate the following text to German.\nOutput ONLY the translation, nothing else.\n"
        "Keep under 2500 characters.\n\nBonjour")


def test_enhance_variants() -> None:
    with_notes = enhance.enhance_prompt("a cat", "make it noir").text
    assert with_notes.startswith("You are an expert prompt engineer specializing in AI image generation prompts.\n"
                                 "Take the following prompt and enhance it according to the instructions provided.")
    assert "## ORIGINAL PROMPT:\na cat\n\n## ENHANCEMENT INSTRUCTIONS:\nmake it noir" in with_notes
    without = enhance.enhance_prompt("a cat").text
    assert "Take this simple prompt and transform it into a detailed, rich prompt" in without
    assert "ENHANCEMENT INSTRUCTIONS" not in without and "a cat" in without
    assert without.endswith("Output ONLY the enhanced prompt. Keep under 2500 characters.")


def test_storyteller_temperature_rules_and_optional_tags() -> None:
    plain = storyteller.storyteller_prompt("a lost key")
    tagged = storyteller.storyteller_prompt("a lost key", "noir, melancholic")
    assert plain.temperature == tagged.temperature == 0.95
    assert plain.text.startswith("You are a wildly creative storyteller and wordsmith")
    for rule in ("- Every time you receive the same concept, create DIFFERENT interpretation",
                 "- Format as clean markdown (## headings, paragraphs, *italics*, no **bold**)",
                 "- Output ONLY the story. Keep under 2500 characters"):
        assert rule in plain.text
    assert plain.text.endswith("CONCEPT: a lost key") and "STYLE TAGS" not in plain.text
    assert tagged.text.endswith("CONCEPT: a lost key\nSTYLE TAGS: noir, melancholic")


def test_grammar_fix_optional_style() -> None:
    plain = grammar_fix.grammar_fix_prompt("i has a cat").text
    assert plain == ("You are a proofreader. Fix all grammar, spelling, and punctuation errors.\n"
                     "Output ONLY the corrected text. Preserve original structure and length.\n\ni has a cat")
    styled = grammar_fix.grammar_fix_prompt("i has a cat", "formal").text
    assert "After fixing, lightly adjust tone to be more formal.\n" in styled


def test_compress_is_the_seed_text_and_threshold() -> None:
    assert compress.COMPRESS_THRESHOLD == 2500
    assert compress.compress_prompt("long").text == (
        "Compress the following text to be shorter while preserving ALL information.\n"
        "Output ONLY the compressed text.\n\nlong")


def test_inject_persona_repeats_a_block_per_character() -> None:
    text = inject_persona.inject_persona_prompt(
        "Ana and Bo walk", [Persona("Ana", "red hair"), Persona("Bo", "tall, bald")]).text
    assert "## CHARACTERS:\n### Ana\nred hair\n\n### Bo\ntall, bald\n\n## ORIGINAL PROMPT:\nAna and Bo walk\n" in text
    assert "6. Do NOT add clothing from CHARACTER descriptions — only physical traits" in text
    assert text.endswith("Output ONLY the rewritten prompt. Keep under 2500 characters.")


def test_templates_are_frozen_data() -> None:
    template = PromptTemplate("x", "{text}", 0.1)
    with pytest.raises(AttributeError):
        template.text = "changed"  # type: ignore[misc]
